import { breakCycles, type Edge } from './cycles';

const edges = (map: Record<string, Array<[string, Edge['kind']]>>) => (node: string) =>
  (map[node] ?? []).map(([to, kind]) => ({ from: node, to, kind }));

describe('breakCycles', () => {
  it('drops the edge that closes the cycle in a name-ordered depth-first walk (as make does)', () => {
    const graph = edges({
      sphinx: [['docutils', 'normal'], ['sphinxcontrib_websupport', 'orderOnly']],
      sphinxcontrib_websupport: [['jinja2', 'normal'], ['sphinx', 'normal']],
    });
    expect(breakCycles(['sphinxcontrib_websupport', 'sphinx', 'jinja2', 'docutils'], graph)).toEqual([
      {
        members: ['sphinx', 'sphinxcontrib_websupport'],
        dropped: { from: 'sphinxcontrib_websupport', to: 'sphinx', kind: 'normal' },
      },
    ]);
  });

  it('finds nothing in a DAG and every cycle otherwise', () => {
    expect(breakCycles(['a', 'b', 'c'], edges({ a: [['b', 'normal']], b: [['c', 'normal']] }))).toEqual([]);
    const cycles = breakCycles(['a', 'b', 'c'], edges({ a: [['b', 'normal']], b: [['a', 'normal'], ['c', 'normal']], c: [['c', 'orderOnly']] }));
    expect(cycles.map((c) => `${c.dropped.from}->${c.dropped.to}`)).toEqual(['b->a', 'c->c']);
  });
});
