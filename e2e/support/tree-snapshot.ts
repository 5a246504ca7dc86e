import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './workspace';

/**
 * Every file of an install tree with a content hash, for "exactly this version" comparisons. Python's
 * bytecode caches (they embed timestamps) and staging (var/tmp) are left out; stamps are compared by
 * package, version and manifest (not by install date).
 */
export function snapshotTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel))) {
      const child = rel ? `${rel}/${name}` : name;
      if (name === '__pycache__' || child === 'var/tmp') continue;
      const full = join(root, child);
      const stat = lstatSync(full);
      if (stat.isDirectory()) walk(child);
      else if (stat.isSymbolicLink()) out.set(child, `-> ${readlinkSync(full)}`);
      else if (/\/var\/lib\/sage\/installed\/[^/]+$|^var\/lib\/sage\/installed\//.test(child) && !child.includes('python3_venv')) out.set(child, normalizeStamp(readFileSync(full, 'utf8')));
      // Installed scripts name the install attempt's own staging dir (SAGE_PKG_DIR): one per attempt.
      else if (/\/var\/lib\/sage\/scripts\//.test(`/${child}`)) out.set(child, readFileSync(full, 'utf8').replace(/nx-install\/([^/.]+)\.\d+\.[0-9a-f]+/g, 'nx-install/$1.<attempt>'));
      else out.set(child, createHash('sha1').update(readFileSync(full)).digest('hex'));
    }
  };
  walk('');
  return out;
}

function normalizeStamp(text: string): string {
  try {
    const { package_name, package_version, files } = JSON.parse(text);
    return JSON.stringify({ package_name, package_version, files });
  } catch {
    return `unparseable stamp: ${text.slice(0, 80)}`;
  }
}

/** What differs between two snapshots (at most `limit` lines). */
export function diffSnapshots(expected: Map<string, string>, actual: Map<string, string>, limit = 8): string[] {
  const lines: string[] = [];
  for (const [file, hash] of expected) {
    if (!actual.has(file)) lines.push(`missing ${file}`);
    else if (actual.get(file) !== hash) lines.push(`changed ${file}`);
  }
  for (const file of actual.keys()) if (!expected.has(file)) lines.push(`unlisted ${file}`);
  return lines.slice(0, limit);
}

export function pipCheck(venv: string): string {
  try {
    return execFileSync(join(venv, 'bin/python'), ['-m', 'pip', 'check', '--isolated'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } }).trim();
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `pip check failed: ${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
  }
}

export const SWAP_CHILD = join(REPO_ROOT, 'e2e/support/swap-child.js');

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs the engine's install entry point (e2e/support/swap-child.js) in a child process. */
export function runSwapChild(ws: string, args: string[], env: Record<string, string> = {}): Promise<ChildRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SWAP_CHILD, ws, ...args], { cwd: ws, env: { ...process.env, NX_SAGE_QUIET: '1', ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}
