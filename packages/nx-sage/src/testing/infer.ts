import type { CreateNodesResult, ProjectConfiguration } from '@nx/devkit';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createDependencies } from '../graph/create-dependencies';
import { createSageNodes } from '../graph/create-nodes';
import type { NxSagePluginOptions } from '../graph/options';

/** `build/pkgs/<name>/type` of every package directory of the tree at `root` (what Nx's glob matches). */
export function findTypeFiles(root: string): string[] {
  return readdirSync(join(root, 'build/pkgs'))
    .filter((name) => existsSync(join(root, 'build/pkgs', name, 'type')))
    .map((name) => `build/pkgs/${name}/type`);
}

/**
 * Runs the plugin's real createNodes and createDependencies on a tree, as Nx would: projects by name and
 * the edges as `source->target`, sorted.
 */
export async function inferGraph(root: string, options: NxSagePluginOptions, cacheDir: string, installCache = true) {
  const results = await createSageNodes(findTypeFiles(root), options, root, { cacheDir, installCache });
  const projects: Record<string, ProjectConfiguration> = {};
  for (const [, result] of results) {
    for (const [projectRoot, project] of Object.entries((result as CreateNodesResult).projects ?? {})) {
      projects[project.name!] = { ...project, root: projectRoot } as ProjectConfiguration;
    }
  }
  const dependencies = await createDependencies(options, {
    projects,
    externalNodes: {},
    nxJsonConfiguration: {},
    workspaceRoot: root,
    fileMap: { projectFileMap: {}, nonProjectFiles: [] },
    filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
  });
  return { projects, edges: dependencies.map((d) => `${d.source}->${d.target}`).sort() };
}
