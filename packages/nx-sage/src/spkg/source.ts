export type SpkgSource = 'normal' | 'wheel' | 'pip' | 'script' | 'none';
export type SpkgType = 'standard' | 'optional' | 'experimental' | 'base';
export type SpkgTree = 'SAGE_LOCAL' | 'SAGE_VENV' | 'SAGE_DOCS';

export const SPKG_TYPES: readonly SpkgType[] = ['standard', 'optional', 'experimental', 'base'];
export const SPKG_TREES: readonly SpkgTree[] = ['SAGE_LOCAL', 'SAGE_VENV', 'SAGE_DOCS'];

/** Sage's order: requirements.txt → pip; a tarball → wheel/normal; an install script → script; else none. */
export function detectSource(facts: {
  hasRequirements: boolean;
  primaryTarball?: string;
  hasInstallScript: boolean;
}): SpkgSource {
  if (facts.hasRequirements) return 'pip';
  if (facts.primaryTarball) return facts.primaryTarball.endsWith('.whl') ? 'wheel' : 'normal';
  if (facts.hasInstallScript) return 'script';
  return 'none';
}

/** trees.txt's first word wins; Python packages (version_requirements/requirements) go to the venv. */
export function detectTrees(facts: {
  treesTxt: string | null;
  hasVersionRequirements: boolean;
  hasRequirements: boolean;
}): string {
  const first = facts.treesTxt?.split('#')[0].trim().split(/\s+/)[0];
  if (first) return first;
  if (facts.hasVersionRequirements || facts.hasRequirements) return 'SAGE_VENV';
  return 'SAGE_LOCAL';
}
