#!/usr/bin/env node
/**
 * Asks the installed Nx itself how it hashes a workspace's tasks (run with cwd = the workspace; the
 * daemon off). No reimplementation: the project graph comes from createProjectGraphAsync (so from
 * the nx-sage plugin), the plan from Nx's native HashPlanner via HashPlanInspector, the hashes from
 * the same TaskHasher `nx run` uses, after the plugins' preTasksExecution hooks, as `nx run` runs them.
 *
 *   node nx-hash-probe.js plan <target> [sageRoot]  → {projects, tasks: {id: {versionFiles, packageDirs, instructions}}}
 *   node nx-hash-probe.js hash <target>             → {projects, hashes: {id: hash}}
 *
 * `versionFiles`: the task's input files that hold a version (any `package-version.txt`, and
 * `VERSION.txt`, which Sage's own distributions link to), workspace-relative: the task's hash changes
 * when one of them does. `packageDirs`: the packages with at least one file among the inputs.
 * `instructions`: every other plan entry (env, runtime, ProjectConfiguration, files outside build/pkgs),
 * so a test can see anything unexpected.
 */
const { createProjectGraphAsync } = require('nx/src/project-graph/project-graph');
const { HashPlanInspector } = require('nx/src/hasher/hash-plan-inspector');
const { createTaskGraph } = require('nx/src/tasks-runner/create-task-graph');
const { createTaskHasher } = require('nx/src/hasher/create-task-hasher');
const { readNxJson } = require('nx/src/config/nx-json');
const { runPreTasksExecution } = require('nx/src/project-graph/plugins/tasks-execution-hooks');

async function main() {
  const [mode, target, sageRoot = '.'] = process.argv.slice(2);
  const graph = await createProjectGraphAsync({ exitOnError: true });
  const projects = Object.keys(graph.nodes).filter((name) => graph.nodes[name].data.targets?.[target]).sort();
  const ids = new Set(projects.map((p) => `${p}:${target}`));
  if (mode === 'plan') {
    const inspector = new HashPlanInspector(graph, process.cwd());
    await inspector.init();
    // Includes the tasks the targets depend on (downloads, installs); only ours are reported.
    const plan = inspector.inspectHashPlan(projects, [target]);
    const prefix = sageRoot === '.' || sageRoot === '' ? 'build/pkgs/' : `${sageRoot.replace(/\/$/, '')}/build/pkgs/`;
    const tasks = {};
    for (const [id, entries] of Object.entries(plan)) {
      if (!ids.has(id)) continue;
      const versionFiles = new Set();
      const packageDirs = new Set();
      const instructions = new Set();
      for (const entry of entries) {
        if (/^file:(.*\/)?(package-version|VERSION)\.txt$/.test(entry)) versionFiles.add(entry.slice('file:'.length));
        if (!entry.startsWith('file:')) {
          instructions.add(entry);
          continue;
        }
        const file = entry.slice('file:'.length);
        if (!file.startsWith(prefix)) {
          instructions.add(entry);
          continue;
        }
        packageDirs.add(file.slice(prefix.length).split('/')[0]);
      }
      tasks[id] = { versionFiles: [...versionFiles].sort(), packageDirs: [...packageDirs].sort(), instructions: [...instructions].sort() };
    }
    return { projects, tasks };
  }
  if (mode === 'hash') {
    const taskGraph = createTaskGraph(graph, {}, projects, [target], undefined, {});
    // As `nx run` does before it hashes: the plugins' preTasksExecution hooks (nx-sage's sets the
    // machine identity every build's hash names, graph/machine-identity.ts).
    await runPreTasksExecution({ id: `probe-${process.pid}`, workspaceRoot: process.cwd(), nxJsonConfiguration: readNxJson(), argv: process.argv });
    const hasher = createTaskHasher(graph, readNxJson());
    const tasks = Object.values(taskGraph.tasks).filter((task) => ids.has(task.id));
    const results = await hasher.hashTasks(tasks, taskGraph, Object.fromEntries(tasks.map((t) => [t.id, process.env])));
    return { projects, hashes: Object.fromEntries(tasks.map((task, i) => [task.id, results[i].value])) };
  }
  throw new Error(`usage: nx-hash-probe.js plan|hash <target> [sageRoot]`);
}

main().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error) => {
    process.stderr.write(`nx-hash-probe: ${error.stack ?? error}\n`);
    process.exit(1);
  },
);
