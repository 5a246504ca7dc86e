/**
 * Must-show of the graph issue: Sage 10.10.beta4's 437 packages through the plugin's real entry points
 * (createNodes + createDependencies) give exactly the graph Sage's make uses (../shared/.../graph.json).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { removeTree } from '../testing/temp-tree';
import { inferGraph } from '../testing/infer';
import { extractSageTarball } from '../testing/sage-tarball';
import type { SpkgMetadata } from './project-config';

const SHARED = resolve(__dirname, '../../../../../shared');
const FLATTENED = join(SHARED, 'sage-10.10.beta4');

interface GroundTruth {
  packages: Record<string, { version: string; type: string; source: string; trees: string; deps: string[]; orderOnlyDeps: string[]; checkDeps: string[]; fileDeps: string[] }>;
  cycles: Array<{ members: string[]; edges: Array<[string, string, string]> }>;
}

// Both layouts of the same checkout: the flattened metadata folder (links as one-line text files, no
// build/make) and the real tree from the tarball (real symlinks, its own build/make/Makefile.in, which
// the evaluator reads instead of the built-in 10.10 values).
describe.each([
  ['flattened folder', () => FLATTENED, () => undefined],
  ['real-symlink tree from the tarball', () => extractSageTarball(SHARED), (dir: string) => removeTree(dir)],
])('parity with Sage 10.10.beta4 make graph (%s)', (_layout, setUp, tearDown) => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'nx-sage-parity-'));
  let SAGE_TREE: string;
  beforeAll(() => {
    SAGE_TREE = setUp();
  });
  afterAll(() => {
    removeTree(cacheDir);
    tearDown(SAGE_TREE);
  });

  it('has the shared tree beside the repository', () => {
    expect(existsSync(join(SAGE_TREE, 'graph.json'))).toBe(true);
  });

  it('infers the same packages, metadata and normal/order-only edges for all 437 packages', async () => {
    const truth = JSON.parse(readFileSync(join(SAGE_TREE, 'graph.json'), 'utf8')) as GroundTruth;
    const { projects, edges } = await inferGraph(SAGE_TREE, {}, cacheDir);
    const graphEdges = new Set(edges);

    const differences: string[] = [];
    const names = Object.keys(truth.packages);
    expect(names).toHaveLength(437);
    // Section 4 of sage-spkg-conventions.md: make reports the cycle and drops this edge.
    const droppedByMake = new Set(['sphinxcontrib_websupport->sphinx']);
    expect(truth.cycles.flatMap((c) => c.members).sort()).toEqual(['sphinx', 'sphinxcontrib_websupport']);
    for (const name of names) {
      const want = truth.packages[name];
      const project = projects[name];
      if (!project) {
        differences.push(`${name}: no project`);
        continue;
      }
      const got = (project.metadata as { sage: SpkgMetadata }).sage;
      for (const key of ['type', 'source', 'trees'] as const) {
        if (got[key] !== want[key]) differences.push(`${name}: ${key} ${got[key]} != ${want[key]}`);
      }
      if (got.versionWithPatchlevel !== want.version) differences.push(`${name}: version ${got.versionWithPatchlevel} != ${want.version}`);
      for (const key of ['deps', 'orderOnlyDeps', 'checkDeps', 'fileDeps'] as const) {
        const extra = got[key].filter((d) => !want[key].includes(d));
        const missing = want[key].filter((d) => !got[key].includes(d));
        if (extra.length || missing.length) differences.push(`${name}: ${key} extra [${extra}] missing [${missing}]`);
      }
      // The project graph itself: every Sage edge is there, except the one make drops.
      for (const dep of [...want.deps, ...want.orderOnlyDeps]) {
        const edge = `${name}->${dep}`;
        if (graphEdges.has(edge) === droppedByMake.has(edge)) differences.push(`${name}: graph edge ${edge} ${droppedByMake.has(edge) ? 'not dropped' : 'missing'}`);
      }
    }
    for (const edge of graphEdges) {
      const [from, to] = edge.split('->');
      const want = truth.packages[from];
      if (!want || ![...want.deps, ...want.orderOnlyDeps].includes(to)) differences.push(`extra graph edge ${edge}`);
    }
    expect(differences).toEqual([]);
    expect(graphEdges.size).toBe(2757 - 1);
    expect(projects.python3_venv).toBeDefined();
    expect((projects.sphinxcontrib_websupport.metadata as { sage: SpkgMetadata }).sage.droppedDeps).toEqual(['sphinx']);
  });
});
