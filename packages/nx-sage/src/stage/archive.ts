import { mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as tar from 'tar';
import { run } from '../process/run';
import { findEscapingLinks } from './extracted-links';
import { findUnsafeEntries, singleTopDirectory, type ArchiveEntry, type ArchiveEntryType } from './archive-entries';

export type ArchiveFormat = 'tar' | 'tar.gz' | 'tar.bz2' | 'tar.xz' | 'zip';

/** The archive format from the file name (Sage's upstream files always carry their extension). */
export function archiveFormat(file: string): ArchiveFormat | undefined {
  const name = basename(file).toLowerCase();
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'tar.gz';
  if (name.endsWith('.tar.bz2') || name.endsWith('.tbz2') || name.endsWith('.tbz')) return 'tar.bz2';
  if (name.endsWith('.tar.xz') || name.endsWith('.txz')) return 'tar.xz';
  if (name.endsWith('.tar')) return 'tar';
  if (name.endsWith('.zip')) return 'zip';
  return undefined;
}

export class UnsafeArchiveError extends Error {
  constructor(
    readonly file: string,
    readonly entries: { path: string; reason: string }[],
  ) {
    const shown = entries.slice(0, 10).map((e) => `    ${e.path}: ${e.reason}`);
    if (entries.length > 10) shown.push(`    ... and ${entries.length - 10} more`);
    super(`refusing to extract ${file}: ${entries.length} entr${entries.length === 1 ? 'y escapes' : 'ies escape'} the build directory\n${shown.join('\n')}`);
    this.name = 'UnsafeArchiveError';
  }
}

function tarType(type: string): ArchiveEntryType {
  switch (type) {
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      return 'file';
    case 'Directory':
    case 'GNUDumpDir':
      return 'directory';
    case 'SymbolicLink':
      return 'symlink';
    case 'Link':
      return 'hardlink';
    default:
      return 'other';
  }
}

/**
 * Turns xz/bz2 archives into a plain tar inside `workDir` with the system `xz`/`bzip2` (node-tar
 * reads gzip itself). A symlink with the right suffix lets the tool write `<name>.tar` next to it
 * without touching the distfile and without a shell redirection.
 */
async function readableTar(file: string, format: ArchiveFormat, workDir: string, signal?: AbortSignal): Promise<string> {
  if (format === 'tar' || format === 'tar.gz') return file;
  const [tool, suffix] = format === 'tar.xz' ? ['xz', '.xz'] : ['bzip2', '.bz2'];
  mkdirSync(workDir, { recursive: true });
  const link = join(workDir, `archive.tar${suffix}`);
  rmSync(link, { force: true });
  rmSync(join(workDir, 'archive.tar'), { force: true });
  symlinkSync(file, link);
  await run(tool, ['-d', '-k', '-f', link], { signal });
  rmSync(link, { force: true });
  return join(workDir, 'archive.tar');
}

async function listTar(file: string): Promise<ArchiveEntry[]> {
  const entries: ArchiveEntry[] = [];
  await tar.list({
    file,
    onReadEntry: (entry) => {
      entries.push({ path: entry.path, type: tarType(entry.type), linkpath: entry.linkpath || undefined });
    },
  });
  return entries;
}

// zipfile gives names and, for members whose Unix mode says symlink, the link target (the data).
const ZIP_LIST = [
  'import json, stat, sys, zipfile',
  'out = []',
  'with zipfile.ZipFile(sys.argv[1]) as z:',
  '    for i in z.infolist():',
  '        mode = i.external_attr >> 16',
  '        kind = "symlink" if stat.S_ISLNK(mode) else ("directory" if i.is_dir() else "file")',
  '        link = z.read(i).decode("utf-8", "replace") if kind == "symlink" else None',
  '        out.append({"path": i.filename, "type": kind, "linkpath": link})',
  'print(json.dumps(out))',
].join('\n');

async function listZip(file: string, python: string, signal?: AbortSignal): Promise<ArchiveEntry[]> {
  const result = await run(python, ['-c', ZIP_LIST, file], { signal });
  const json = result.output.trim().split('\n').pop() ?? '[]';
  return (JSON.parse(json) as ArchiveEntry[]).map((e) => ({ ...e, linkpath: e.linkpath ?? undefined }));
}

/**
 * node-tar's own guards, kept on as a second line behind the member check: no absolute names or '..'
 * (preservePaths false), never write through a symlink in a member's path (TAR_SYMLINK_ERROR), and any
 * warning is an error (strict); owners are not restored.
 */
export const TAR_EXTRACT_OPTIONS = { strict: true, preserveOwner: false, preservePaths: false } as const;

export interface ExtractOptions {
  file: string;
  /** Directory that must not exist yet and receives the content (`src` in sage-spkg). */
  dest: string;
  /** Scratch directory for decompression (inside the build directory). */
  workDir: string;
  /** Python used to list zip members. */
  python: string;
  signal?: AbortSignal;
}

/**
 * sage-uncompress-spkg -d src, made safe: lists every member first and refuses the archive before
 * writing anything if a member could land or point outside the extraction directory (links followed
 * as the kernel does, archive-entries.ts); extracts into a fresh directory inside the build directory
 * and checks the extracted links again on disk (extracted-links.ts); a single top directory becomes
 * `dest`.
 */
export async function extractArchive(options: ExtractOptions): Promise<{ entries: number; topDirectory?: string }> {
  const { file, dest, workDir, python, signal } = options;
  const format = archiveFormat(file);
  if (!format) throw new Error(`unknown archive format of ${file} (expected .tar.gz, .tar.bz2, .tar.xz, .tar or .zip)`);
  const source = format === 'zip' ? file : await readableTar(file, format, workDir, signal);
  const entries = format === 'zip' ? await listZip(file, python, signal) : await listTar(source);
  const unsafe = findUnsafeEntries(entries);
  if (unsafe.length > 0) throw new UnsafeArchiveError(file, unsafe);

  const top = singleTopDirectory(entries);
  const unpackDir = join(workDir, 'unpack');
  rmSync(unpackDir, { recursive: true, force: true });
  mkdirSync(unpackDir, { recursive: true });
  if (format === 'zip') {
    await run('unzip', ['-q', file, '-d', unpackDir], { signal });
  } else {
    await tar.extract({ ...TAR_EXTRACT_OPTIONS, file: source, cwd: unpackDir });
  }
  if (source !== file) rmSync(source, { force: true });
  // The listing said it was safe; the disk must agree (an extractor that resolves differently, a
  // listing that missed a member): links are checked again where they really point.
  const escaping = findEscapingLinks(unpackDir);
  if (escaping.length > 0) {
    rmSync(unpackDir, { recursive: true, force: true });
    throw new UnsafeArchiveError(file, escaping);
  }
  if (top) {
    renameSync(join(unpackDir, top), dest);
    rmSync(unpackDir, { recursive: true, force: true });
  } else {
    renameSync(unpackDir, dest);
  }
  return { entries: entries.length, topDirectory: top };
}

