import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The JSON record sage-spkg writes to `<tree>/var/lib/sage/installed/<pkg>-<ver>`. */
export interface SageStamp {
  package_name: string;
  package_version: string;
  install_date: string;
  system_uname: string;
  sage_version: string;
  test_result: string;
  /** Installed files and symlinks, relative to the tree (Sage's uninstaller removes exactly these). */
  files: string[];
  /** nx-sage's own field; Sage ignores unknown keys. */
  nx_sage?: { artifact_hash: string; source_hash?: string };
}

export interface StampFile {
  file: string;
  /** `<pkg>-<ver>` part after the package name. */
  version: string;
  mtimeMs: number;
  /** undefined: unreadable or old-style (not JSON). */
  stamp?: SageStamp;
}

/** Stamp JSON in sage-spkg's layout (4-space indent). */
export function formatStamp(stamp: SageStamp): string {
  return `${JSON.stringify(stamp, null, 4)}\n`;
}

export function parseStamp(text: string): SageStamp | undefined {
  try {
    const value = JSON.parse(text) as SageStamp;
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** All stamps `<pkg>-*` of a tree, oldest first (Sage's uninstaller works with the newest). */
export function readStamps(stampDir: string, pkg: string): StampFile[] {
  if (!existsSync(stampDir)) return [];
  const prefix = `${pkg}-`;
  return readdirSync(stampDir)
    .filter((name) => name.startsWith(prefix))
    .map((name) => {
      const file = join(stampDir, name);
      let stamp: SageStamp | undefined;
      try {
        stamp = parseStamp(readFileSync(file, 'utf8'));
      } catch {
        stamp = undefined;
      }
      return { file, version: name.slice(prefix.length), mtimeMs: statSync(file).mtimeMs, stamp };
    })
    .sort((a, b) => a.mtimeMs - b.mtimeMs || a.file.localeCompare(b.file));
}
