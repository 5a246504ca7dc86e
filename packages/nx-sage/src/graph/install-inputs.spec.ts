import { execSync } from 'node:child_process';
import { remoteCacheConfigured, treeStateArgs, treeStateCommand, treeStateEnv } from './install-inputs';

describe('treeStateCommand', () => {
  const sh = (command: string, env: Record<string, string> = {}) => execSync(command, { encoding: 'utf8', shell: '/bin/sh', env: { ...process.env, ...env } });

  it('names SAGE_LOCAL (and SAGE_VENV) from the workspace root, absolute ones as they are', () => {
    expect(treeStateArgs('.', { sageLocal: 'local', sageVenv: null })).toEqual(['local']);
    expect(treeStateArgs('sage', { sageLocal: 'local', sageVenv: '/opt/my venv' })).toEqual(['sage/local', '/opt/my venv']);
    expect(treeStateCommand('sage', { sageLocal: 'local', sageVenv: '/opt/my venv' }, 's.js')).toContain(`node s.js sage/local '/opt/my venv' 2>`);
  });

  it('echoes the state the hook put into its variable; one variable per set of trees', () => {
    const command = treeStateCommand('.', { sageLocal: 'local', sageVenv: null }, 'no/such/script.js');
    expect(sh(command, { [treeStateEnv(['local'])]: 'nx-sage tree state abc' })).toBe('nx-sage tree state abc\n');
    expect(treeStateEnv(['local'])).toMatch(/^NX_SAGE_TREE_STATE_[0-9a-f]{12}$/);
    expect(treeStateEnv(['sage/local'])).not.toBe(treeStateEnv(['local']));
  });

  it('without the variable, prints a value that never repeats when the command cannot run (Nx hashes its output, not its status)', () => {
    const command = treeStateCommand('.', { sageLocal: 'local', sageVenv: null }, 'no/such/script.js');
    const first = sh(command);
    expect(first).toMatch(/^nx-sage tree state unavailable \d+ \d+\n$/);
    expect(sh(command)).not.toBe(first);
  });
});

describe('remoteCacheConfigured', () => {
  it.each([
    [{}, {}, false],
    [{ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'http://c' }, {}, true],
    [{ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'http://c', NX_SKIP_REMOTE_CACHE: 'true' }, {}, false],
    [{}, { s3: { bucket: 'b' } }, true],
    [{}, { sharedFs: {} }, true],
    [{}, { nxCloudId: 'x' }, true],
    [{ NX_NO_CLOUD: 'true' }, { nxCloudId: 'x' }, false],
    [{ NX_CLOUD_ACCESS_TOKEN: 't' }, { neverConnectToCloud: true }, false],
    [{ NX_CLOUD_ACCESS_TOKEN: 't' }, {}, true],
    [{ NX_CLOUD_AUTH_TOKEN: 't' }, {}, true],
    [{}, { tasksRunnerOptions: { default: { runner: 'nx-cloud' } } }, true],
    [{}, { tasksRunnerOptions: { default: { runner: 'nx/tasks-runners/default' } } }, false],
  ])('env %j, nx.json %j → %s', (env, nxJson, expected) => {
    expect(remoteCacheConfigured(env, nxJson)).toBe(expected);
  });
});
