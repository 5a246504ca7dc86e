import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** PEP 503-ish normalisation used to compare wheel and dist-info names. */
export function normalizeDistName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '_');
}

/** `<venv>/lib/python3.X/site-packages` directories (usually one). */
export function sitePackagesDirs(venv: string): string[] {
  const lib = join(venv, 'lib');
  if (!existsSync(lib)) return [];
  return readdirSync(lib)
    .filter((name) => name.startsWith('python'))
    .map((name) => join(lib, name, 'site-packages'))
    .filter((dir) => existsSync(dir));
}

/** Whether `<name>-<version>.dist-info` is present for every distribution (a deleted venv has none). */
export function distributionsPresent(venv: string, dists: readonly { name: string; version: string }[]): boolean {
  if (dists.length === 0) return true;
  const installed = new Set<string>();
  for (const dir of sitePackagesDirs(venv)) {
    for (const entry of readdirSync(dir)) {
      const match = /^(.+)-([^-]+)\.dist-info$/.exec(entry);
      if (match) installed.add(`${normalizeDistName(match[1])}-${match[2]}`);
    }
  }
  return dists.every((d) => installed.has(`${normalizeDistName(d.name)}-${d.version}`));
}
