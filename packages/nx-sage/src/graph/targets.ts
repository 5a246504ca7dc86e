import type { TargetConfiguration } from '@nx/devkit';
import { posix } from 'node:path';
import type { NormalizedOptions, TargetKind } from './options';
import { identityInputs } from './identity-inputs';
import { installStateInput } from './install-inputs';
import { normalClosure, type PackageNode, type TreeGraph } from './tree-graph';
import { TEST_SWITCHES } from '../tree/test-switches';

/** Options every nx-sage executor receives (see executors/common/options.ts). */
export interface SpkgTargetOptions {
  package: string;
  sageRoot: string;
  sageLocal: string;
  sageVenv?: string;
  python: string;
  /** Present only when set (configure's SAGE_VENV_FLAGS). */
  venvFlags?: string;
  distfiles: string;
  artifactsDir: string;
  /** Present (true) only for a package named in the plugin option allowUnchecksummed. */
  allowUnchecksummed?: boolean;
  /** Build only: configure's PCFILES among the package's prerequisites (stage/pc-files.ts). */
  pcFiles?: string[];
}

export interface TargetContext {
  graph: TreeGraph;
  options: NormalizedOptions;
  /** Workspace-relative Sage root ('.' for a checkout at the workspace root). */
  sageRoot: string;
  /** Hash of configure's outputs on a configured checkout (configured/configure-outputs.ts). */
  configureHash?: string;
  /** Hash of the plugin's own code and version: a changed plugin invalidates cached builds. */
  pluginHash: string;
  /** Workspace-relative path of the runtime identity script (graph/runtime-identity.ts). */
  identityScript: string;
  /** Workspace-relative path of the tree state command (graph/install-inputs.ts). */
  treeStateScript: string;
  /** Whether installs are cached (not with a remote cache: graph/install-inputs.ts). */
  installCache: boolean;
}

// configure's outputs (build/make/Makefile, sage-env-config, sage-build-env-config) decide every build of
// a configured checkout. They are gitignored, so Nx's file inputs cannot see them: their content hash,
// computed with the graph, is the input (one cached `echo` per run, like the plugin hash).
const configureInputs = (ctx: TargetContext): NonNullable<TargetConfiguration['inputs']> =>
  ctx.configureHash ? [{ runtime: `echo sage-configure ${ctx.configureHash}` }] : [];

// Inputs of the targets that are never cached and never selected by `nx affected` (uninstall, check,
// venv, satisfied; install has the build's inputs, see below).
// Nx still hashes every task of a run; without `inputs` it uses the default `{projectRoot}/**/*` +
// `^{projectRoot}/**/*`, which names the venv node's project (root `<sageRoot>/build`). When `build/`
// holds nothing but `pkgs/` (fixture trees, the 10.10 tree) that project owns no file and Nx aborts with
// "project python3_venv not found" before running anything. An uncached hash gates nothing, so: none.
const UNCACHED_INPUTS: TargetConfiguration['inputs'] = [];

const toPosix = (path: string) => path.split('\\').join('/');
const rel = (sageRoot: string, ...parts: string[]) => posix.normalize(posix.join(sageRoot, ...parts));

export function buildTargetOptions(name: string, ctx: TargetContext): SpkgTargetOptions {
  const { options, sageRoot } = ctx;
  return {
    package: name,
    sageRoot,
    sageLocal: options.sageLocal,
    ...(options.sageVenv ? { sageVenv: options.sageVenv } : {}),
    python: options.python,
    ...(options.venvFlags ? { venvFlags: options.venvFlags } : {}),
    distfiles: options.distfiles,
    artifactsDir: rel(sageRoot, options.sageLocal, 'var/lib/sage/nx-artifacts', name),
    ...(options.allowUnchecksummed.includes(name) ? { allowUnchecksummed: true } : {}),
  };
}

/**
 * configure's PCFILES among a package's file prerequisites (absolute `.pc` paths: make's only
 * prerequisites that are no package, no Sage source and no FORCE; sagelib's on a system GSL or BLAS).
 */
export const pcFilePrerequisites = (fileDeps: readonly string[]): string[] =>
  fileDeps.filter((file) => file.startsWith('/') && !file.startsWith('/SAGE_SRC/') && file.endsWith('.pc'));

/** The Nx targets of one package, or none when it is outside the build set. Pure. */
export function buildPackageTargets(node: PackageNode, ctx: TargetContext): Record<string, TargetConfiguration> {
  if (!node.inBuildSet) return {};
  const names = ctx.options.targetNames;
  const { spkg } = node;
  const label = `${spkg.name}-${spkg.versionWithPatchlevel}`;
  const options = buildTargetOptions(spkg.name, ctx);
  const targets: Record<string, TargetConfiguration> = {};
  const add = (kind: TargetKind, config: TargetConfiguration) => {
    const name = names[kind];
    if (name) targets[name] = config;
  };
  const metadata = (description: string) => ({ technologies: ['sage'], description });

  if (node.system || spkg.source === 'none') {
    // nx:noop runs inside Nx's own process: a configured checkout marks a hundred or more packages as
    // provided by the system, and a forked executor per package would cost each run ~0.3 s of CPU apiece.
    add('install', {
      executor: 'nx:noop',
      dependsOn: [],
      cache: false,
      inputs: UNCACHED_INPUTS,
      metadata: metadata(
        node.system
          ? `${spkg.name} is provided by the system (nx.json: system); nothing to build`
          : `${spkg.name} has no source (type none): Sage only uses the system's package`,
      ),
    });
    return targets;
  }

  const hasDownload = spkg.tarballs.length > 0 && names.download !== false;
  if (hasDownload) {
    // Cached like a build: a second run (or another machine, through the remote cache) does not refetch
    // or even start a process; the only input is the checksum file that names and pins the file.
    add('download', {
      executor: 'nx-sage:download',
      options,
      cache: true,
      inputs: ['{projectRoot}/checksums.ini'],
      outputs: [`{workspaceRoot}/${rel(ctx.sageRoot, options.distfiles, spkg.tarballs[0].filename)}`],
      metadata: metadata(`Fetch ${spkg.tarballs[0].filename} into SAGE_DISTFILES and verify its checksum`),
    });
  }
  const installDeps = names.install ? [`^${names.install}`] : [];
  const inputs = buildInputs(node, ctx);
  const pcFiles = pcFilePrerequisites(node.fileDeps);
  const buildOptions: SpkgTargetOptions = pcFiles.length ? { ...options, pcFiles } : options;
  add('build', {
    // A batch executor (executors/build/batch.ts): Nx hands every build of the run that it cannot
    // restore from its cache to ONE process, which runs them N at a time like make -jN.
    executor: 'nx-sage:build',
    options: buildOptions,
    // Not `^install` and not `download`: a build that really runs fetches its upstream file and
    // installs its prerequisites itself (executors/build), so a cached build waits for nothing but its
    // prerequisites' builds. A no-op run then looks every build up without waiting level by level for
    // installs, and a remote-cache hit never fetches an upstream file.
    dependsOn: names.build ? [`^${names.build}`] : [],
    cache: true,
    inputs,
    outputs: ['{workspaceRoot}/' + options.artifactsDir],
    metadata: metadata(`Build ${label} into a staged tree (shared tree lock); cached by Nx`),
  });
  // Every install also waits for the venv node's (nx:noop) install. Nx completes in-process no-ops only
  // after it has looked up the cached builds that are ready, so this one edge makes a no-op run form ONE
  // install batch (one process) after all builds resolved, instead of a first batch of the native
  // installs that were ready early and a second one for the rest. It orders nothing real: the venv
  // node does no work.
  const venvGate = ctx.graph.venvNode && names.install ? [{ projects: [ctx.options.projectPrefix + ctx.graph.venvNode], target: names.install }] : [];
  add('install', {
    executor: 'nx-sage:install',
    options,
    dependsOn: [...(names.build ? [names.build] : []), ...installDeps, ...venvGate],
    // Cached, without a remote cache, by what the build's hash is made of (so: the artifact) and the
    // state of the trees it installs into (install-inputs.ts): a run that finds the tree as an earlier
    // run left it after installing or checking this artifact starts no process. Nx 24's `affected`
    // selects TASKS by matching changed files against each task's inputs: with the build's file inputs,
    // `nx affected -t install` selects exactly the installs whose build is affected (X + normal dependents).
    cache: ctx.installCache,
    inputs: ctx.installCache ? [...(inputs ?? []), installStateInput(ctx)] : fileInputs(node, ctx),
    metadata: metadata(`Swap ${label} into ${spkg.trees} in one exclusive section and write its stamp`),
  });
  add('uninstall', {
    executor: 'nx-sage:uninstall',
    options,
    cache: false,
    inputs: UNCACHED_INPUTS,
    metadata: metadata(`Remove ${spkg.name}'s installed files (its stamp's manifest) from ${spkg.trees}`),
  });
  if (node.checked && names.install) {
    add('check', {
      executor: 'nx-sage:check',
      options,
      dependsOn: [names.install, ...node.checkDeps.map((dep) => ({ projects: [ctx.options.projectPrefix + dep], target: names.install as string }))],
      cache: false,
      inputs: UNCACHED_INPUTS,
      metadata: metadata(`Run ${spkg.name}'s test suite (spkg-check)`),
    });
  }
  return targets;
}

/**
 * What invalidates a build, as in Sage: the package's own files and, through NORMAL edges only
 * (transitively), its dependencies' files; order-only prerequisites only order the build unless
 * `hermetic` is set. Plus the machine: plugin code, compilers, libc, OS, Python ABI, environment and
 * configure's outputs (identity-inputs.ts).
 */
export function buildInputs(node: PackageNode, ctx: TargetContext): TargetConfiguration['inputs'] {
  return [
    ...fileInputs(node, ctx),
    ...identityInputs(ctx.sageRoot, ctx.options, ctx.pluginHash, ctx.identityScript),
    // Test switches (tree/test-switches.ts): a stub or race-control build never shares a real build's hash.
    ...TEST_SWITCHES.map((env) => ({ env })),
    ...configureInputs(ctx),
  ];
}

/** The files of a build's inputs: what `nx affected` matches changed files against. */
export function fileInputs(node: PackageNode, ctx: TargetContext): string[] {
  const deps = normalClosure(ctx.graph, node.spkg.name, ctx.options.hermetic).filter((dep) => dep !== ctx.graph.venvNode);
  const pkgs = rel(ctx.sageRoot, 'build/pkgs');
  const fileDeps = node.fileDeps
    .filter((file) => file.startsWith('/SAGE_SRC/'))
    .map((file) => `{workspaceRoot}/${rel(ctx.sageRoot, 'src', file.slice('/SAGE_SRC/'.length))}`);
  // Files read through symlinks (gfortran's version is gcc's file, sagelib's is VERSION.txt) count too,
  // and so do the Sage library sources for the FORCE packages (sagelib, sagemath_objects): make rebuilds
  // them on every run; with Nx they rebuild exactly when these sources (or other inputs) change.
  const linked = [node.spkg.name, ...deps].flatMap((name) => {
    const dep = ctx.graph.nodes.get(name);
    const spkg = dep?.spkg;
    if (!spkg) return [];
    const library = dep.fileDeps.includes('FORCE') ? [`{workspaceRoot}/${rel(ctx.sageRoot, 'src')}/**/*`, `{workspaceRoot}/${rel(ctx.sageRoot, 'pkgs')}/**/*`] : [];
    const sageRootAbs = posix.dirname(posix.dirname(posix.dirname(toPosix(spkg.dir))));
    return [...library, ...spkg.linkedFiles.map((file) => `{workspaceRoot}/${rel(ctx.sageRoot, posix.relative(sageRootAbs, toPosix(file)))}`)];
  });
  return [
    '{projectRoot}/**/*',
    ...deps.map((dep) => `{workspaceRoot}/${pkgs}/${dep}/**/*`),
    ...fileDeps,
    ...[...new Set(linked)].sort(),
  ];
}

/**
 * The venv node ($(PYTHON) = python3_venv): an `install` target that orders the Python packages after
 * it. SAGE_VENV itself is made by whatever first needs it (a build or install of a package in the
 * venv; stage/venv.ts), so this target is nx:noop: run inside Nx's own process, it neither forks nor
 * holds back the installs' batch.
 */
export function buildVenvTargets(name: string, ctx: TargetContext): Record<string, TargetConfiguration> {
  const install = ctx.options.targetNames.install;
  if (!install) return {};
  return {
    [install]: {
      executor: 'nx:noop',
      cache: false,
      inputs: UNCACHED_INPUTS,
      metadata: {
        technologies: ['sage'],
        description: `SAGE_VENV (${ctx.options.python} -m venv, Sage's $(PYTHON) rule): created by the first build or install of a package in the venv`,
      },
    },
  };
}
