import { AggregateCreateNodesError, hashArray, logger, type CreateNodes, type CreateNodesResult } from '@nx/devkit';
import { hashObject, hashWithWorkspaceContext } from 'nx/src/devkit-internals';
import { workspaceDataDirectory } from 'nx/src/utils/cache-directory';
import { join, posix } from 'node:path';
import { readSageTree } from '../spkg/tree';
import { NodesCache } from './nodes-cache';
import { normalizeOptions, type NormalizedOptions, type NxSagePluginOptions } from './options';
import { pluginHash } from './plugin-hash';
import { pluginFilePath } from './plugin-file';
import { IDENTITY_SCRIPT_FILE } from './runtime-identity';
import { remoteCacheConfigured, TREE_STATE_SCRIPT_FILE } from './install-inputs';
import { startMachineIdentity } from './machine-identity';
import { buildErrorProject, buildPackageProject, buildVenvProject } from './project-config';
import type { TargetContext } from './targets';
import { buildTreeGraph, type TreeGraph } from './tree-graph';
import { ConfigureError, configuredTree, type ConfiguredTree } from './configured';

export const SPKG_GLOB = '**/build/pkgs/*/type';

type TreeResult = Record<string, NonNullable<CreateNodesResult['projects']>>;

export interface CreateNodesInternals {
  /** Where the inferred-nodes cache lives; default Nx's workspace data directory. */
  cacheDir?: string;
  /** Whether Nx caches installs (graph/install-inputs.ts): not when a remote cache is configured. Default true. */
  installCache?: boolean;
}

/** One batch per Sage tree: read every package once, resolve Sage's graph, build all projects. */
export async function createSageNodes(
  typeFiles: readonly string[],
  rawOptions: NxSagePluginOptions | undefined,
  workspaceRoot: string,
  internals: CreateNodesInternals = {},
): Promise<Array<readonly [string, CreateNodesResult]>> {
  const optionsHash = hashObject(normalizeOptions(rawOptions));
  const installCache = internals.installCache ?? true;
  const cacheDir = internals.cacheDir ?? workspaceDataDirectory;
  const cache = new NodesCache<TreeResult>(join(cacheDir, `nx-sage-${optionsHash}.json`));
  const results: Array<readonly [string, CreateNodesResult]> = [];
  // Whole-tree problems only (configure's output unusable); a bad package becomes an error project.
  const errors: Array<[string, Error]> = [];
  try {
    for (const [sageRoot, files] of groupByTree(typeFiles)) {
      // The one branch point: a configured checkout is read from GNU make (configured/), any other tree
      // from its package files (tree-graph). configure's outputs are gitignored, so they are hashed here.
      let configured: ConfiguredTree | null;
      try {
        configured = await configuredTree(join(workspaceRoot, sageRoot), rawOptions, cacheDir);
      } catch (error) {
        if (!(error instanceof ConfigureError)) throw error;
        errors.push([posix.join(sageRoot, 'build/make/Makefile'), error]);
        continue;
      }
      const options = configured?.options ?? normalizeOptions(rawOptions);
      startMachineIdentity(workspaceRoot, options.python);
      const key = hashArray([
        await hashWithWorkspaceContext(workspaceRoot, treeInputGlobs(sageRoot)),
        optionsHash,
        configured?.outputsHash ?? 'unconfigured',
        pluginHash(),
        pluginFilePath(workspaceRoot, IDENTITY_SCRIPT_FILE),
        `install cache ${installCache}`,
      ]);
      let perFile = cache.get(key);
      if (!perFile) {
        perFile = inferTree(sageRoot, files, options, workspaceRoot, configured, installCache);
        cache.set(key, perFile);
      }
      for (const file of files) {
        const projects = perFile[file];
        if (projects) results.push([file, { projects }] as const);
      }
    }
  } finally {
    cache.save();
  }
  if (errors.length) throw new AggregateCreateNodesError(errors, results);
  return results;
}

/** Every file inference reads for a tree: package dirs, make variables, and VERSION.txt (symlink targets). */
export function treeInputGlobs(sageRoot: string): string[] {
  const at = (p: string) => (sageRoot === '.' ? p : posix.join(sageRoot, p));
  return [at('build/pkgs/**/*'), at('build/make/Makefile.in'), at('VERSION.txt'), at('src/VERSION.txt')];
}

/**
 * Projects of one tree. Never fails because of one package: a package that cannot be read or evaluated
 * becomes a project carrying its error (its targets fail with it), and the problem is logged once here
 * (results are cached until an input changes).
 */
function inferTree(
  sageRoot: string,
  files: string[],
  options: NormalizedOptions,
  workspaceRoot: string,
  configured: ConfiguredTree | null,
  installCache: boolean,
): TreeResult {
  const names = files.map((file) => posix.basename(posix.dirname(file)));
  const tree = readSageTree(join(workspaceRoot, sageRoot), names);
  const graph: TreeGraph = configured ? configured.graph(tree, options) : buildTreeGraph(tree, options);
  const ctx: TargetContext = {
    graph,
    options,
    sageRoot,
    configureHash: configured?.outputsHash,
    pluginHash: pluginHash(),
    identityScript: pluginFilePath(workspaceRoot, IDENTITY_SCRIPT_FILE),
    treeStateScript: pluginFilePath(workspaceRoot, TREE_STATE_SCRIPT_FILE),
    installCache,
  };
  const perFile: TreeResult = {};
  for (const node of graph.nodes.values()) {
    const project = buildPackageProject(node, ctx);
    perFile[posix.join(project.root, 'type')] = { [project.root]: project };
  }
  for (const broken of graph.broken.values()) {
    const project = buildErrorProject(broken, ctx);
    perFile[posix.join(project.root, 'type')] = { [project.root]: project };
    logger.warn(`nx-sage: ${broken.error.message}\n  (project ${project.name} carries this error; its targets fail with it, the other packages are not affected)`);
  }
  if (graph.venvNode && files.length) {
    const anchor = files[0];
    const venv = buildVenvProject(graph.venvNode, ctx);
    perFile[anchor] = { ...(perFile[anchor] ?? {}), [venv.root]: venv };
  }
  for (const cycle of graph.cycles) {
    logger.warn(
      `nx-sage: dependency cycle ${[...cycle.members, cycle.members[0]].join(' → ')} in ${sageRoot}/build/pkgs; ` +
        `dropped ${cycle.dropped.from} → ${cycle.dropped.to} (${cycle.dropped.kind}), as GNU make does`,
    );
  }
  for (const warning of [...graph.warnings, ...graph.errors.map((e) => e.message)]) logger.warn(`nx-sage: ${warning}`);
  for (const note of graph.notes) logger.verbose(`nx-sage: ${note}`);
  return perFile;
}

/** `a/b/build/pkgs/gmp/type` → tree `a/b`; a checkout at the workspace root is '.'. */
export function groupByTree(typeFiles: readonly string[]): Map<string, string[]> {
  const trees = new Map<string, string[]>();
  for (const file of typeFiles) {
    const normalized = file.split('\\').join('/');
    const index = normalized.lastIndexOf('build/pkgs/');
    const sageRoot = index <= 0 ? '.' : normalized.slice(0, index - 1);
    trees.set(sageRoot, [...(trees.get(sageRoot) ?? []), normalized]);
  }
  return trees;
}

export const createNodes: CreateNodes<NxSagePluginOptions> = [
  SPKG_GLOB,
  (files, options, context) =>
    createSageNodes(files, options, context.workspaceRoot, { installCache: !remoteCacheConfigured(process.env, context.nxJsonConfiguration as Record<string, unknown>) }),
];
