// `node tree-state-cli.js <SAGE_LOCAL> [SAGE_VENV]`: the install tasks' runtime input (swap/tree-state.ts).
// Prints the digest, or a value that never repeats when the tree cannot be read (treeState); the command
// in the graph falls back to such a value when node itself cannot run it (graph/install-inputs.ts).
import { treeState } from './tree-state';

process.stdout.write(`${treeState(process.argv[2] ?? 'local', process.argv[3] || undefined)}\n`);
