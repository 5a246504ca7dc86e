import { delimiter, dirname, join, resolve } from 'node:path';

/**
 * PATH as Nx had it, before nx:run-commands put `node_modules/.bin` of the directory and every parent, and
 * the directory of node, in front (npm-run-path). Build hashes take PATH and the compilers it finds from
 * Nx's environment, and the forked executor ran with that PATH: a package's scripts must find the same
 * `cc`, `python3` and `make` (with node in /usr/bin, /usr/bin would otherwise come before /usr/local/bin).
 * Unchanged when it does not start with exactly that prefix. Pure.
 */
export function pathBeforeRunCommands(path: string | undefined, cwd: string, execPath: string): string | undefined {
  if (path === undefined) return undefined;
  const prefix: string[] = [];
  for (let dir = resolve(cwd), previous = ''; dir !== previous; previous = dir, dir = dirname(dir)) prefix.push(join(dir, 'node_modules/.bin'));
  prefix.push(dirname(resolve(cwd, execPath)));
  const head = prefix.join(delimiter);
  if (path === head) return '';
  return path.startsWith(head + delimiter) ? path.slice(head.length + delimiter.length) : path;
}
