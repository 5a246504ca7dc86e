import type { ProjectConfiguration } from '@nx/devkit';
import { posix } from 'node:path';
import { buildPackageTargets, buildVenvTargets, type TargetContext } from './targets';
import type { BrokenPackage, PackageNode } from './tree-graph';

/** What executors, hashing and `nx show project` need to know about a package (project metadata `sage`). */
export interface SpkgMetadata {
  package: string;
  version: string;
  patchlevel: number;
  versionWithPatchlevel: string;
  type: string;
  source: string;
  trees: string;
  tarball?: string;
  upstreamUrl?: string;
  distributionName?: string;
  deps: string[];
  orderOnlyDeps: string[];
  checkDeps: string[];
  fileDeps: string[];
  droppedDeps: string[];
  enabled: boolean;
  inBuildSet: boolean;
  system: boolean;
  checked: boolean;
  sageRoot: string;
  /** Whether the package directory has a `dependencies` file (the source of its static edges). */
  hasDependenciesFile: boolean;
  /** Prerequisites that are broken packages (their targets fail with the problem). */
  brokenDeps?: string[];
  /** Variables its dependency lines use that no Makefile defines (make expands them to empty). */
  undefinedVars?: string[];
}

// Empty tag files Sage uses for documentation and CI filtering.
const TAG_FILES = ['math', 'front-end', 'huge', 'has_nonfree_dependencies'];

export function packageRoot(sageRoot: string, name: string): string {
  return posix.normalize(posix.join(sageRoot, 'build/pkgs', name));
}

export function buildPackageProject(node: PackageNode, ctx: TargetContext): ProjectConfiguration {
  const { spkg } = node;
  const root = packageRoot(ctx.sageRoot, spkg.name);
  const sage: SpkgMetadata = {
    package: spkg.name,
    version: spkg.version,
    patchlevel: spkg.patchlevel,
    versionWithPatchlevel: spkg.versionWithPatchlevel,
    type: spkg.type,
    source: spkg.source,
    trees: spkg.trees,
    ...(spkg.tarballs[0] ? { tarball: spkg.tarballs[0].filename } : {}),
    ...(spkg.tarballs[0]?.upstreamUrl ? { upstreamUrl: spkg.tarballs[0].upstreamUrl } : {}),
    ...(spkg.distributionName ? { distributionName: spkg.distributionName } : {}),
    deps: node.deps,
    orderOnlyDeps: node.orderOnlyDeps,
    checkDeps: node.checkDeps,
    fileDeps: node.fileDeps,
    droppedDeps: node.droppedDeps,
    enabled: node.enabled,
    inBuildSet: node.inBuildSet,
    system: node.system,
    checked: node.checked,
    sageRoot: ctx.sageRoot,
    hasDependenciesFile: spkg.files.includes('dependencies'),
    ...(node.brokenDeps.length ? { brokenDeps: node.brokenDeps } : {}),
    ...(node.undefinedVars.length ? { undefinedVars: node.undefinedVars } : {}),
  };
  const state = node.system ? 'system' : node.inBuildSet ? 'build' : 'disabled';
  return {
    root,
    name: ctx.options.projectPrefix + spkg.name,
    projectType: 'library',
    tags: [
      'sage',
      `sage:type:${spkg.type}`,
      `sage:source:${spkg.source}`,
      `sage:tree:${spkg.trees}`,
      `sage:${state}`,
      ...TAG_FILES.filter((tag) => spkg.files.includes(tag)).map((tag) => `sage:${tag}`),
    ],
    targets: buildPackageTargets(node, ctx),
    metadata: {
      description: describe(node),
      technologies: ['sage'],
      sage,
    } as ProjectConfiguration['metadata'],
  };
}

function describe(node: PackageNode): string {
  const { spkg } = node;
  const what = `Sage ${spkg.type} package ${spkg.name} ${spkg.versionWithPatchlevel} (${spkg.source}, ${spkg.trees})`;
  if (node.brokenDeps.length) return `${what}; cannot build: prerequisite ${node.brokenDeps.join(', ')} is broken (nx show project ${node.brokenDeps[0]})`;
  if (node.system) return `${what}; provided by the system`;
  if (!node.inBuildSet) return `${what}; not enabled: add it to "enable" in the nx-sage plugin options to build it`;
  return what;
}

/** The virtual venv-creation node: no package directory, so it lives at `<sageRoot>/build`. */
export function buildVenvProject(name: string, ctx: TargetContext): ProjectConfiguration {
  return {
    root: posix.normalize(posix.join(ctx.sageRoot, 'build')),
    name: ctx.options.projectPrefix + name,
    projectType: 'library',
    tags: ['sage', 'sage:venv'],
    targets: buildVenvTargets(name, ctx),
    metadata: {
      description: `SAGE_VENV creation ($(PYTHON) = ${name} in build/make/Makefile.in)`,
      technologies: ['sage'],
      // stamp: the venv target of this tree's Makefile: a python3_venv stamp, or $(SAGE_VENV)/pyvenv.cfg (older trees).
      sage: { package: name, virtual: true, sageRoot: ctx.sageRoot, stamp: ctx.graph.venvStamp },
    } as ProjectConfiguration['metadata'],
  };
}

/**
 * A package whose files cannot be read or whose dependency lines cannot be evaluated: a project that
 * carries the error (metadata `sage.error`), with build/install targets that fail with it when it is
 * in the build set. It declares no prerequisites (they are unknown); its dependents still point at it.
 */
export function buildErrorProject(broken: BrokenPackage, ctx: TargetContext): ProjectConfiguration {
  const root = packageRoot(ctx.sageRoot, broken.name);
  const message = broken.error.message;
  const targets: NonNullable<ProjectConfiguration['targets']> = {};
  if (broken.inBuildSet) {
    for (const kind of ['build', 'install'] as const) {
      const name = ctx.options.targetNames[kind];
      if (!name) continue;
      targets[name] = {
        executor: 'nx-sage:error',
        options: { package: broken.name, message },
        cache: false,
        inputs: [],
        metadata: { technologies: ['sage'], description: `Fails: ${broken.name} is broken (${broken.error.code})` },
      };
    }
  }
  return {
    root,
    name: ctx.options.projectPrefix + broken.name,
    projectType: 'library',
    tags: ['sage', 'sage:broken', ...(broken.spkg ? [`sage:type:${broken.spkg.type}`] : [])],
    targets,
    metadata: {
      description: `Sage package ${broken.name}: BROKEN: ${message}`,
      technologies: ['sage'],
      sage: { package: broken.name, broken: true, error: message, errorCode: broken.error.code, file: broken.error.file, line: broken.error.line, sageRoot: ctx.sageRoot },
    } as ProjectConfiguration['metadata'],
  };
}
