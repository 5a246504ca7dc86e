import { existsSync } from 'node:fs';
import type { SpkgTarball } from '../spkg/checksums';
import { run } from '../process/run';
import { venvPython, type SageLayout } from '../tree/paths';

/**
 * The `py-abi-platform` tags of a wheel file name (PEP 427; dotted parts are compressed tag sets):
 * `x-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl` → two tags. Undefined if not a wheel.
 */
export function wheelTags(filename: string): string[] | undefined {
  if (!filename.endsWith('.whl')) return undefined;
  const parts = filename.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  const [py, abi, plat] = parts.slice(-3);
  const tags: string[] = [];
  for (const p of py.split('.')) for (const a of abi.split('.')) for (const l of plat.split('.')) tags.push(`${p}-${a}-${l}`);
  return tags;
}

/**
 * Which of a package's `tarball=` blocks this machine uses, as sage_bootstrap's
 * find_tarball_for_platform decides: one block → it; else the wheel with the most preferred tag in
 * `compatible` (the interpreter's packaging.tags.sys_tags(), best first); no wheel fits (or the tags
 * are unknown) → the first source tarball; nothing else → the first block.
 */
export function chooseTarball(tarballs: readonly SpkgTarball[], compatible: readonly string[] | undefined): SpkgTarball | undefined {
  if (tarballs.length <= 1) return tarballs[0];
  const sources = tarballs.filter((t) => !t.filename.endsWith('.whl'));
  if (compatible) {
    const rank = new Map(compatible.map((tag, i) => [tag, i] as const));
    let best: { tarball: SpkgTarball; rank: number } | undefined;
    for (const tarball of tarballs) {
      for (const tag of wheelTags(tarball.filename) ?? []) {
        const r = rank.get(tag);
        if (r !== undefined && (!best || r < best.rank)) best = { tarball, rank: r };
      }
    }
    if (best) return best.tarball;
  }
  return sources[0] ?? tarballs[0];
}

const PROBE = [
  'import json',
  'try:\n    from packaging import tags\nexcept ImportError:\n    from pip._vendor.packaging import tags',
  'print(json.dumps([str(t) for t in tags.sys_tags()]))',
].join('\n');

const probed = new Map<string, Promise<string[] | undefined>>();

/** The wheel tags the tree's Python accepts, best first (undefined when it cannot tell: no packaging, no pip). */
export function compatibleTags(python: string): Promise<string[] | undefined> {
  let pending = probed.get(python);
  if (!pending) {
    pending = run(python, ['-c', PROBE], { reject: false }).then((r) => {
      if (r.exitCode !== 0) return undefined;
      try {
        return JSON.parse(r.output.trim().split('\n').pop() ?? '') as string[];
      } catch {
        return undefined;
      }
    });
    probed.set(python, pending);
  }
  return pending;
}

/** The tarball block of `spkg` for this machine; asks the Python only for multi-tarball packages. */
export async function selectTarball(layout: SageLayout, spkg: { tarballs: SpkgTarball[] }): Promise<SpkgTarball | undefined> {
  if (spkg.tarballs.length <= 1) return spkg.tarballs[0];
  const python = existsSync(venvPython(layout)) ? venvPython(layout) : layout.python;
  return chooseTarball(spkg.tarballs, await compatibleTags(python));
}
