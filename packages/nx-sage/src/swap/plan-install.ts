/** What `install` does for one package; decided from facts only, so it is tested without disk. */
export type InstallAction = 'skip' | 'install' | 'reinstall';

export interface InstallFacts {
  /** The newest stamp of the package in its tree, if any. */
  stamp?: { version: string; artifactHash?: string; hasFiles: boolean };
  artifact: { version: string; hash: string };
  /** Every file of the stamp's manifest still exists in the tree. */
  filesPresent: boolean;
  /** Python packages: every distribution the artifact installs has its dist-info in the venv. */
  distributionsPresent: boolean;
  /** A swap of this package was interrupted (journal left): the next exclusive holder repairs it first. */
  interrupted?: boolean;
}

export interface InstallPlan {
  action: InstallAction;
  reason: string;
}

export function planInstall(facts: InstallFacts): InstallPlan {
  const { stamp, artifact } = facts;
  if (facts.interrupted) return { action: stamp ? 'reinstall' : 'install', reason: 'an earlier install of this package was interrupted (it is repaired first)' };
  if (!stamp) return { action: 'install', reason: 'not installed' };
  if (stamp.version !== artifact.version) {
    return { action: 'reinstall', reason: `installed version ${stamp.version}, built version ${artifact.version}` };
  }
  if (!stamp.artifactHash) {
    // Written by Sage's own sage-spkg (make): adopted when its manifest is intact (swap/adopt.ts).
    if (stamp.hasFiles && facts.filesPresent && facts.distributionsPresent) {
      return { action: 'skip', reason: `${stamp.version} was installed by Sage's make (adopted)` };
    }
    return { action: 'reinstall', reason: 'installed without nx-sage and its manifest is incomplete or missing' };
  }
  if (stamp.artifactHash !== artifact.hash) {
    return { action: 'reinstall', reason: 'the build produced a different artifact' };
  }
  if (!facts.filesPresent) return { action: 'reinstall', reason: 'files of the installed package are missing' };
  if (!facts.distributionsPresent) {
    return { action: 'reinstall', reason: 'the Python distribution is missing from the venv (was the venv recreated?)' };
  }
  return { action: 'skip', reason: `${artifact.version} is installed and up to date` };
}
