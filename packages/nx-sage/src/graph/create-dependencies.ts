import { DependencyType, type CreateDependencies, type RawProjectGraphDependency } from '@nx/devkit';
import { posix } from 'node:path';
import { normalizeOptions, type NxSagePluginOptions } from './options';
import type { SpkgMetadata } from './project-config';

/**
 * Edges from the `sage` metadata createNodes stored on each project: normal and order-only prerequisites
 * (and check prerequisites when checks are on), minus the edges dropped to break cycles. The
 * normal/order-only distinction stays in the metadata, where executors and hashing read it.
 */
export const createDependencies: CreateDependencies<NxSagePluginOptions> = (rawOptions, context) => {
  const { projectPrefix } = normalizeOptions(rawOptions);
  const dependencies: RawProjectGraphDependency[] = [];
  for (const [source, project] of Object.entries(context.projects)) {
    const sage = (project.metadata as { sage?: SpkgMetadata } | undefined)?.sage;
    if (!sage || !Array.isArray(sage.deps)) continue;
    const targets = [...sage.deps, ...sage.orderOnlyDeps, ...(sage.checked ? sage.checkDeps : [])];
    for (const dep of new Set(targets)) {
      if (sage.droppedDeps.includes(dep)) continue;
      const target = projectPrefix + dep;
      if (!context.projects[target]) continue;
      dependencies.push(
        sage.hasDependenciesFile
          ? { source, target, type: DependencyType.static, sourceFile: posix.join(project.root, 'dependencies') }
          : { source, target, type: DependencyType.implicit },
      );
    }
  }
  return dependencies;
};
