import { remoteCacheConfigured, treeStateCommand } from './install-inputs';

describe('treeStateCommand', () => {
  it('names SAGE_LOCAL (and SAGE_VENV) from the workspace root, absolute ones as they are, quoted for the shell', () => {
    expect(treeStateCommand('.', { sageLocal: 'local', sageVenv: null }, 'node_modules/nx-sage/dist/swap/tree-state-cli.js')).toBe('node node_modules/nx-sage/dist/swap/tree-state-cli.js local');
    expect(treeStateCommand('sage', { sageLocal: 'local', sageVenv: '/opt/my venv' }, 's.js')).toBe(`node s.js sage/local '/opt/my venv'`);
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
  ])('env %j, nx.json %j → %s', (env, nxJson, expected) => {
    expect(remoteCacheConfigured(env, nxJson)).toBe(expected);
  });
});
