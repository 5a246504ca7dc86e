import { adoptionPlan, type AdoptionFacts } from './adopt';

const made: AdoptionFacts = { stamp: { version: '1.2.p0', hasFiles: true }, version: '1.2.p0', filesPresent: true, distributionsPresent: true };

describe('adoptionPlan (a tree built by make)', () => {
  it.each<[string, Partial<AdoptionFacts>, boolean, RegExp]>([
    ["make's stamp, right version, files and wheels in place", {}, true, /installed by Sage's make \(adopted/],
    ['no stamp', { stamp: undefined }, false, /not installed/],
    ['stamp written by nx-sage', { stamp: { version: '1.2.p0', artifactHash: 'h', hasFiles: true } }, false, /nx-sage/],
    ['another version (package-version.txt bumped)', { stamp: { version: '1.1', hasFiles: true } }, false, /make installed 1\.1, the package is at 1\.2\.p0/],
    ['old-style stamp without manifest', { stamp: { version: '1.2.p0', hasFiles: false } }, false, /no file manifest/],
    ['a manifest file was deleted', { filesPresent: false }, false, /files .* missing/],
    ['venv recreated since', { distributionsPresent: false }, false, /missing from the venv/],
  ])('%s → adopt=%s', (_t, change, adopt, reason) => {
    const plan = adoptionPlan({ ...made, ...change });
    expect(plan.adopt).toBe(adopt);
    expect(plan.reason).toMatch(reason);
  });
});
