// `node tree-state-cli.js <SAGE_LOCAL> [SAGE_VENV]`: the install tasks' runtime input (swap/tree-state.ts).
// Never fails: Nx would abort the whole run over a failed runtime input.
import { treeState } from './tree-state';

process.stdout.write(`${treeState(process.argv[2] ?? 'local', process.argv[3] || undefined)}\n`);
