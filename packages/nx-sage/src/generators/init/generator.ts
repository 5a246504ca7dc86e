import { joinPathFragments, logger, readNxJson, updateNxJson, writeJson, type GeneratorCallback, type Tree } from '@nx/devkit';
import { join } from 'node:path';
import { isConfigured, needsConfigure, unconfiguredError } from '../../graph/configured';
import { normalizeSageRoot } from '../spkg/lib/normalize-options';
import { addEnvSettings } from './lib/update-env-file';
import { addIgnoreEntries, NX_LOCAL_DIRS, sageIgnoreEntries } from './lib/update-ignore-files';
import { updateNxJsonForSage } from './lib/update-nx-json';
import type { InitGeneratorSchema } from './schema';

const DEFAULT_PARALLEL = 4;

/**
 * `nx add nx-sage` / `nx g nx-sage:init`: registers the plugin in nx.json and ignores the build's
 * output directories. Works without package.json (a Sage checkout); running it again changes nothing.
 */
export async function initGenerator(tree: Tree, schema: InitGeneratorSchema = {}): Promise<GeneratorCallback> {
  const sageRoot = normalizeSageRoot(schema.sageRoot);
  // configure's outputs are gitignored build products, read from disk (not through the Tree).
  const onDisk = join(tree.root, sageRoot);
  if (needsConfigure(onDisk)) throw unconfiguredError(onDisk);
  const configured = isConfigured(onDisk);
  const nxJson = updateNxJsonForSage(readNxJson(tree) ?? {}, {
    parallel: schema.parallel ?? DEFAULT_PARALLEL,
    cacheDirectory: schema.cacheDirectory,
    // A configured checkout: SAGE_LOCAL, SAGE_VENV, PYTHON_FOR_VENV, system packages all come from configure.
    pluginOptions: configured ? {} : undefined,
  });
  // updateNxJson keeps an `extends` base intact, but only edits an nx.json that exists.
  if (nxJson) tree.exists('nx.json') ? updateNxJson(tree, nxJson) : writeJson(tree, 'nx.json', nxJson);

  if (!schema.skipIgnoreFiles) {
    const buildDirs = sageIgnoreEntries(sageRoot);
    updateTextFile(tree, '.gitignore', [...buildDirs, ...sageIgnoreEntries('.', NX_LOCAL_DIRS)]);
    // Also in .nxignore, so Nx skips them even where .gitignore does not list them (or is not in use).
    updateTextFile(tree, '.nxignore', buildDirs);
  }
  if (!schema.keepPluginIsolation) {
    const env = addEnvSettings(tree.exists('.env') ? tree.read('.env', 'utf-8') : null);
    if (env !== null) tree.write('.env', env);
  }

  const pkgs = joinPathFragments(sageRoot, 'build/pkgs');
  const found = tree.exists(pkgs);
  return () => {
    if (!found) {
      logger.warn(`nx-sage: there is no ${pkgs} here yet; the plugin finds packages in any **/build/pkgs/*/type.`);
    }
    if (configured) logger.info(`nx-sage reads configure's decisions from ${joinPathFragments(sageRoot, 'build/make/Makefile')} (plugin options override them).`);
    logger.info('nx-sage is set up. Build and install every enabled package with:\n\n  nx run-many -t install\n');
  };
}

function updateTextFile(tree: Tree, path: string, entries: string[]): void {
  const next = addIgnoreEntries(tree.exists(path) ? tree.read(path, 'utf-8') : null, entries);
  if (next !== null) tree.write(path, next);
}

export default initGenerator;
