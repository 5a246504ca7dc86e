/** The real-symlink Sage 10.10.beta4 tree, extracted from `../shared/sage-10.10.beta4.tar.xz` (see the helper). */
export { extractSageTarball, SAGE_TARBALL_MEMBERS } from '../../packages/nx-sage/src/testing/sage-tarball';
