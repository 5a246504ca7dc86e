// The process of one build task (command.ts): `node run-task.js <verb> '<options JSON>'`, started by
// nx:run-commands in the workspace root. Loads only what the verb needs; Nx is not loaded.
import type { ExecutorContext } from '@nx/devkit';
import type { SpkgExecutorOptions } from '../executors/common/options';
import { graphFiles, taskContext } from './task-context';
import { pathBeforeRunCommands } from './task-path';

type Executor = (options: SpkgExecutorOptions, context: ExecutorContext) => Promise<{ success: boolean }>;

const EXECUTORS: Record<string, () => Executor> = {
  build: () => require('../executors/build/executor').default,
};

async function main(argv: string[]): Promise<number> {
  const [verb, json, ...extra] = argv;
  const load = EXECUTORS[verb];
  if (!load || json === undefined) {
    console.error(`nx-sage: usage: run-task.js <${Object.keys(EXECUTORS).join('|')}> '<options as JSON>' (got: ${argv.join(' ')})`);
    return 2;
  }
  if (extra.length) {
    // nx:run-commands appends options it does not know (`nx run x:build --jobs=4`, targetDefaults).
    console.error(
      `nx-sage: the ${verb} task takes no further options (got: ${extra.join(' ')}); set them in nx.json's plugin options, or SAGE_NUM_THREADS / NX_SAGE_PIP_INDEX in the environment`,
    );
    return 2;
  }
  const path = pathBeforeRunCommands(process.env.PATH, process.cwd(), process.execPath);
  if (path !== undefined) process.env.PATH = path;
  let options: SpkgExecutorOptions;
  try {
    options = JSON.parse(json) as SpkgExecutorOptions;
  } catch (error) {
    console.error(`nx-sage: the options of this ${verb} task are not JSON (${(error as Error).message}): ${json}`);
    return 2;
  }
  const context = taskContext(process.env, process.cwd(), graphFiles);
  const result = await load()(options, context);
  return result.success ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`nx-sage: ${(error as Error)?.stack ?? String(error)}`);
    process.exitCode = 1;
  },
);
