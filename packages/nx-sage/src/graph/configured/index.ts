/**
 * A configured checkout (./configure ran): configure's outputs, read through GNU make, are the source
 * of truth; plugin options are overrides. `configuredTree` is the one entry point create-nodes uses.
 */
import { relative } from 'node:path';
import type { SageTree } from '../../spkg/tree';
import { normalizeOptions, type NormalizedOptions, type NxSagePluginOptions } from '../options';
import type { TreeGraph } from '../tree-graph';
import { configureOutputsHash, isConfigured, newerThanConfigure, staleConfigureError } from './configure-outputs';
import { buildConfiguredGraph } from './configured-graph';
import type { ConfiguredSage } from './configured-sage';
import { readConfiguredSage } from './read-configured';

export { ConfigureError, CONFIGURE_OUTPUTS, isConfigured, needsConfigure, unconfiguredError } from './configure-outputs';
export type { ConfiguredSage } from './configured-sage';

export interface ConfiguredTree {
  /** Hash of configure's outputs (build/make/Makefile, sage-env-config, sage-build-env-config). */
  outputsHash: string;
  /** The plugin options with configure's SAGE_LOCAL, SAGE_VENV, PYTHON_FOR_VENV and SAGE_VENV_FLAGS where the user set none. */
  options: NormalizedOptions;
  sage: ConfiguredSage;
  graph(tree: SageTree, options: NormalizedOptions): TreeGraph;
}

/** configure's view of the checkout at `sageRoot` (absolute), or null when it is not configured. */
export async function configuredTree(sageRoot: string, rawOptions: NxSagePluginOptions | undefined, cacheDir: string): Promise<ConfiguredTree | null> {
  if (!isConfigured(sageRoot)) return null;
  const newer = newerThanConfigure(sageRoot);
  if (newer) throw staleConfigureError(sageRoot, newer);
  const sage = await readConfiguredSage(sageRoot, cacheDir);
  return {
    outputsHash: configureOutputsHash(sageRoot),
    options: normalizeOptions(withConfigure(rawOptions ?? {}, sage, sageRoot)),
    sage,
    graph: (tree, options) => buildConfiguredGraph(tree, sage, options, sageRoot),
  };
}

/** Options filled from configure: the user's own values stay (they are overrides). */
export function withConfigure(raw: NxSagePluginOptions, sage: ConfiguredSage, sageRoot: string): NxSagePluginOptions {
  const rel = (path: string) => relative(sageRoot, path) || '.';
  return {
    ...raw,
    ...(raw.sageLocal === undefined && sage.vars.SAGE_LOCAL ? { sageLocal: rel(sage.vars.SAGE_LOCAL) } : {}),
    ...(raw.sageVenv === undefined && sage.vars.SAGE_VENV ? { sageVenv: rel(sage.vars.SAGE_VENV) } : {}),
    ...(raw.python === undefined && sage.vars.PYTHON_FOR_VENV ? { python: sage.vars.PYTHON_FOR_VENV } : {}),
    ...(raw.venvFlags === undefined && sage.vars.SAGE_VENV_FLAGS ? { venvFlags: sage.vars.SAGE_VENV_FLAGS } : {}),
  };
}
