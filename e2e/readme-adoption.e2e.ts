/**
 * Issue 11: the README's adoption commands, read from README.md and run verbatim (bash, the user's
 * environment) in a fresh copy of the configured Sage 10.10.beta4 checkout, up to `./nx show projects`.
 * `npx --yes nx@24.0.6` comes from the npm registry. The one substitution is the README's own pre-publish
 * instruction for `./nx add nx-sage`: the plugin's packed tarball under installation.plugins, then
 * `./nx g nx-sage:init`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyConfiguredCheckout } from './support/configured-checkout';
import { packPlugin, runWrapper, userEnv } from './support/packed';
import { plain } from './support/sage-checkout';
import { spawnToFiles } from './support/spawn-to-files';
import { REPO_ROOT, removeWorkspace } from './support/workspace';

/** The commands of the README's first sh block under "Using it in a Sage checkout", comments dropped. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using it in a Sage checkout'));
  const block = section.slice(section.indexOf('```sh\n') + 6, section.indexOf('\n```', section.indexOf('```sh\n')));
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter(Boolean);
}

describe('the README adoption path on a configured Sage checkout (issue 11)', () => {
  let ws: string;
  let scratch: string;
  afterAll(() => {
    removeWorkspace(ws);
    removeWorkspace(scratch);
  });

  it('run verbatim, it ends with `./nx show projects` listing configure\'s packages; init wrote no plugin options', () => {
    const commands = readmeCommands();
    const last = commands.indexOf('./nx show projects');
    expect(commands[0]).toBe('cd sage');
    expect(last).toBeGreaterThan(1);
    scratch = mkdtempSync(join(tmpdir(), 'nx-sage-readme-'));
    const packed = packPlugin(scratch);
    ws = copyConfiguredCheckout('nx-sage-e2e-readme-');
    const env = userEnv();
    let show = '';
    for (const command of commands.slice(1, last + 1)) {
      const t = Date.now();
      let run: { status: number | null; stdout: string; stderr: string };
      if (command === './nx add nx-sage') {
        // The README's pre-publish form of this line.
        const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
        nxJson.installation.plugins = { 'nx-sage': `file:${packed.tarball}` };
        writeFileSync(join(ws, 'nx.json'), JSON.stringify(nxJson, null, 2) + '\n');
        run = runWrapper(ws, ['g', 'nx-sage:init'], env);
      } else {
        run = spawnToFiles('bash', ['-c', command], { cwd: ws, env });
      }
      console.log(`${command}: exit ${run.status}, ${((Date.now() - t) / 1000).toFixed(1)} s`);
      if (run.status !== 0) throw new Error(`${command} failed:\n${plain(run.stdout + run.stderr).slice(-4000)}`);
      show = run.stdout;
    }
    const projects = show.split('\n').map((l) => l.trim()).filter(Boolean);
    expect(projects).toEqual(expect.arrayContaining(['gmp', 'flint', 'sagelib', 'pip', 'python3_venv']));
    expect(projects).toHaveLength(438);
    const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
    expect(nxJson.plugins).toEqual([{ plugin: 'nx-sage', options: {} }]);
    expect(readFileSync(join(ws, '.nxignore'), 'utf8')).toMatch(/^\/docker\/$/m);
    // Nothing else than the plugin was installed (no @nx/docker).
    expect(readFileSync(join(ws, '.nx/installation/package.json'), 'utf8')).not.toMatch(/@nx\/docker/);
  });
});
