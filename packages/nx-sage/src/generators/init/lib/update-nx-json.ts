import type { NxJsonConfiguration } from '@nx/devkit';
import type { NxSagePluginOptions } from '../../../graph/options';

export const PLUGIN_NAME = 'nx-sage';

/** The options `init` writes, so users see where the trees go without reading the docs. */
export const DEFAULT_PLUGIN_OPTIONS: NxSagePluginOptions = { python: 'python3', sageLocal: 'local', distfiles: 'upstream' };

/** Every file of a package: what Sage's make rules depend on. Handy in user targetDefaults. */
export const SAGE_PACKAGE_INPUT = ['{projectRoot}/**/*'];

export interface NxJsonSettings {
  parallel: number;
  cacheDirectory?: string;
  /** Options of a new nx-sage entry; default DEFAULT_PLUGIN_OPTIONS ({} on a configured checkout). */
  pluginOptions?: NxSagePluginOptions;
}

/**
 * Returns nx.json with nx-sage registered and the run settings filled in, or null when nothing is
 * missing. Never replaces a value the user set; an existing nx-sage entry (string or object) is kept.
 */
export function updateNxJsonForSage(nxJson: NxJsonConfiguration, settings: NxJsonSettings): NxJsonConfiguration | null {
  const next: NxJsonConfiguration = { ...nxJson };
  let changed = false;
  const plugins = nxJson.plugins ?? [];
  if (!plugins.some((entry) => (typeof entry === 'string' ? entry : entry.plugin) === PLUGIN_NAME)) {
    next.plugins = [...plugins, { plugin: PLUGIN_NAME, options: { ...(settings.pluginOptions ?? DEFAULT_PLUGIN_OPTIONS) } }];
    changed = true;
  }
  if (nxJson.parallel === undefined) {
    next.parallel = settings.parallel;
    changed = true;
  }
  if (!nxJson.namedInputs?.sagePackage) {
    next.namedInputs = { ...(nxJson.namedInputs ?? {}), sagePackage: [...SAGE_PACKAGE_INPUT] };
    changed = true;
  }
  if (settings.cacheDirectory && nxJson.cacheDirectory === undefined) {
    next.cacheDirectory = settings.cacheDirectory;
    changed = true;
  }
  return changed ? next : null;
}
