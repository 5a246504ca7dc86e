// One measurement in a fresh process: createNodes + createDependencies of the plugin for a Sage tree.
// argv: <sageTree> <cacheDir>. Prints JSON {createNodesMs, createDependenciesMs, projects, edges}.
const { readdirSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const [tree, cacheDir] = process.argv.slice(2);
process.env.NX_VERBOSE_LOGGING = 'false';
require('@nx/devkit').logger.warn = () => {}; // the expected sphinx cycle warning would flood the output
const { createSageNodes } = require('../../../packages/nx-sage/dist/graph/create-nodes');
const { createDependencies } = require('../../../packages/nx-sage/dist/graph/create-dependencies');

(async () => {
  const files = readdirSync(join(tree, 'build/pkgs'))
    .filter((name) => existsSync(join(tree, 'build/pkgs', name, 'type')))
    .map((name) => `build/pkgs/${name}/type`);
  // Nx builds its workspace context (the native file index) before it calls any plugin; do the same,
  // so the numbers are the plugin's own time. The index build is reported separately.
  const { hashWithWorkspaceContext } = require('nx/src/devkit-internals');
  const tIndex = performance.now();
  await hashWithWorkspaceContext(tree, ['nx-sage-bench-nothing']);
  const indexMs = performance.now() - tIndex;
  const t0 = performance.now();
  const results = await createSageNodes(files, {}, tree, { cacheDir });
  const t1 = performance.now();
  const projects = {};
  for (const [, r] of results) for (const [root, p] of Object.entries(r.projects)) projects[p.name] = { ...p, root };
  const edges = await createDependencies({}, { projects, externalNodes: {}, nxJsonConfiguration: {}, workspaceRoot: tree, fileMap: { projectFileMap: {}, nonProjectFiles: [] }, filesToProcess: { projectFileMap: {}, nonProjectFiles: [] } });
  const t2 = performance.now();
  console.log(JSON.stringify({ indexMs, createNodesMs: t1 - t0, createDependenciesMs: t2 - t1, projects: Object.keys(projects).length, edges: edges.length }));
})();
