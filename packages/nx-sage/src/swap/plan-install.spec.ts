import { planInstall, type InstallFacts } from './plan-install';

const base: InstallFacts = {
  stamp: { version: '1.0', artifactHash: 'h1', hasFiles: true },
  artifact: { version: '1.0', hash: 'h1' },
  filesPresent: true,
  distributionsPresent: true,
};

describe('planInstall', () => {
  it.each<[string, Partial<InstallFacts>, string, RegExp]>([
    ['same stamp, same artifact, all present', {}, 'skip', /1\.0 is installed and up to date/],
    ['no stamp', { stamp: undefined }, 'install', /not installed/],
    ['other version', { stamp: { version: '0.9', artifactHash: 'h0', hasFiles: true } }, 'reinstall', /installed version 0\.9, built version 1\.0/],
    ['installed by Sage (no hash), manifest intact: adopted', { stamp: { version: '1.0', hasFiles: true } }, 'skip', /installed by Sage's make \(adopted\)/],
    ['installed by Sage, old-style stamp', { stamp: { version: '1.0', hasFiles: false } }, 'reinstall', /without nx-sage/],
    ['installed by Sage, files deleted', { stamp: { version: '1.0', hasFiles: true }, filesPresent: false }, 'reinstall', /without nx-sage/],
    ['different artifact', { artifact: { version: '1.0', hash: 'h2' } }, 'reinstall', /different artifact/],
    ['files deleted', { filesPresent: false }, 'reinstall', /files .* missing/],
    ['venv recreated', { distributionsPresent: false }, 'reinstall', /venv/],
  ])('%s → %s', (_title, change, action, reason) => {
    const plan = planInstall({ ...base, ...change });
    expect(plan.action).toBe(action);
    expect(plan.reason).toMatch(reason);
  });
});
