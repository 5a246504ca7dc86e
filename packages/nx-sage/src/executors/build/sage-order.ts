import { spkgPaths, type SageLayout } from '../../tree/paths';
import type { PackageLogger } from '../../tree/logger';
import { removeInstalled } from '../../swap/remove-installed';
import type { Spkg } from '../../spkg';
import { announceTestSwitch, refuseOnRealTree } from '../../tree/test-switches';

/**
 * Test control only (NX_SAGE_EMULATE_SAGE_ORDER=1): do what sage-spkg does — uninstall the installed
 * version BEFORE building the new one (sage-spkg l. 620-623), with no lock held during the uninstall
 * (sage-flock drops its lock at exec). The race tests use it to show they can see the seed bug.
 */
export const emulateSageOrder = (): boolean => process.env.NX_SAGE_EMULATE_SAGE_ORDER === '1';

export async function uninstallBeforeBuild(layout: SageLayout, spkg: Spkg, logger: PackageLogger): Promise<void> {
  const paths = spkgPaths(layout, spkg);
  announceTestSwitch('NX_SAGE_EMULATE_SAGE_ORDER', '1', 'builds uninstall the installed version first, unlocked (Sage\'s race)');
  refuseOnRealTree('NX_SAGE_EMULATE_SAGE_ORDER', layout.sageLocal);
  logger.info(`NX_SAGE_EMULATE_SAGE_ORDER: uninstalling ${spkg.name} before building it, as sage-spkg does`);
  await removeInstalled({ pkg: spkg.name, tree: paths.tree, stampDir: paths.stampDir, pkgScriptsDir: paths.pkgScriptsDir, logger });
}
