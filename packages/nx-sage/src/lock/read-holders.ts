import { join } from 'node:path';
import { toHolderInfo } from './holder-info';
import { getLocalProcess } from './host';
import { inspectReaders, inspectWriter, readHolderRecord } from './inspect';
import { getLockLayout } from './layout';
import { DEFAULT_STALE_MS, defaultLockDir } from './options';
import type { HolderInfo } from './types';
import { resolveTree } from './with-tree-lock';

/**
 * Who holds the lock of `tree` ("who is blocking my build?"): the writer first, then the readers.
 * Holds of dead local processes are left out (they hold nothing; the next waiter removes them).
 * A writer listed beside readers is waiting for them to finish.
 */
export async function readLockHolders(tree: string, options: { lockDir?: string } = {}): Promise<HolderInfo[]> {
  const layout = getLockLayout(options.lockDir ?? defaultLockDir(await resolveTree(tree)));
  const local = getLocalProcess();
  const holders: HolderInfo[] = [];
  const writer = await inspectWriter(layout, local, DEFAULT_STALE_MS);
  if (writer.kind === 'held' && writer.verdict !== 'dead') {
    const record = await readHolderRecord(layout.writerDir, writer.token, 'exclusive', local);
    if (record) holders.push(toHolderInfo(record));
  }
  for (const reader of await inspectReaders(layout, local, DEFAULT_STALE_MS)) {
    if (reader.verdict === 'dead') continue;
    const record = await readHolderRecord(join(layout.readersDir, reader.name), reader.name, 'shared', local);
    if (record) holders.push(toHolderInfo(record));
  }
  return holders;
}
