import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

let cached: string | undefined;

/**
 * Hash of the plugin's own version and code (spkg model + graph inference, as loaded), so that a changed
 * plugin never serves targets or builds computed by an older one.
 */
export function pluginHash(): string {
  if (cached) return cached;
  const hash = createHash('sha256');
  const packageRoot = join(__dirname, '..', '..');
  try {
    hash.update(readFileSync(join(packageRoot, 'package.json')));
  } catch {
    hash.update('no-package-json');
  }
  for (const dir of [join(__dirname, '..', 'spkg'), __dirname]) {
    for (const file of readdirSync(dir).sort()) {
      const path = join(dir, file);
      if (/\.(js|ts)$/.test(file) && !file.endsWith('.d.ts') && !file.includes('.spec.') && statSync(path).isFile()) {
        hash.update(file).update(readFileSync(path));
      }
    }
  }
  cached = hash.digest('hex').slice(0, 16);
  return cached;
}
