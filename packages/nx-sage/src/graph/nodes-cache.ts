import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const MAX_ENTRIES = 8;

/**
 * A small on-disk cache of inferred results, one file per options hash, keyed by the hash of every file
 * inference read. Keeps the newest few keys (branches switch back and forth).
 */
export class NodesCache<T> {
  private entries: Record<string, T> = {};
  private order: string[] = [];
  private dirty = false;

  constructor(private readonly file: string) {
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, T>; order: string[] };
      this.entries = stored.entries ?? {};
      this.order = stored.order ?? Object.keys(this.entries);
    } catch {
      // Missing or corrupt cache: start empty, it is only a cache.
    }
  }

  get(key: string): T | undefined {
    return this.entries[key];
  }

  set(key: string, value: T): void {
    this.entries[key] = value;
    this.order = [...this.order.filter((k) => k !== key), key];
    for (const old of this.order.splice(0, Math.max(0, this.order.length - MAX_ENTRIES))) delete this.entries[old];
    this.dirty = true;
  }

  /** Writes atomically (rename) so a concurrent Nx process never reads half a file. */
  save(): void {
    if (!this.dirty) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ entries: this.entries, order: this.order }));
      renameSync(tmp, this.file);
      this.dirty = false;
    } catch {
      // A read-only workspace only loses the cache.
    }
  }
}
