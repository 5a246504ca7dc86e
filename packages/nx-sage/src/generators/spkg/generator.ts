import { joinPathFragments, logger, type GeneratorCallback, type Tree } from '@nx/devkit';
import { buildPackageFiles } from './lib/package-files';
import { normalizeOptions } from './lib/normalize-options';
import type { SpkgGeneratorSchema } from './schema';

/**
 * `nx g nx-sage:spkg <name>`: a new build/pkgs/<name>/ the way `sage --package create` lays it out.
 * Refuses bad names, unknown dependencies and existing directories before writing anything.
 */
export async function spkgGenerator(tree: Tree, schema: SpkgGeneratorSchema): Promise<GeneratorCallback> {
  const options = normalizeOptions(tree, schema);
  for (const [file, content] of Object.entries(buildPackageFiles(options))) {
    tree.write(joinPathFragments(options.pkgDir, file), content);
  }
  if (options.distfilesCopy && options.upstream?.content && !tree.exists(options.distfilesCopy)) {
    tree.write(options.distfilesCopy, options.upstream.content);
  }
  return () => {
    if (options.upstream && !options.upstream.sha256) {
      logger.warn(
        `${options.pkgDir}/checksums.ini has no checksum yet: download ${options.upstream.filename} and add sha256=<sha256sum>, ` +
          `or create the package again with --upstreamFile.`,
      );
    }
    if (options.type !== 'standard') {
      logger.info(`${options.name} is ${options.type}: add it to "enable" in the nx-sage plugin options (nx.json) to build it.`);
    }
    if (options.source === 'script') logger.info(`Write the install steps in ${options.pkgDir}/spkg-install.in (it is a stub that fails).`);
    logger.info(`Created ${options.pkgDir} (${options.type}, source ${options.source}). Try: nx show project ${options.name}`);
  };
}

export default spkgGenerator;
