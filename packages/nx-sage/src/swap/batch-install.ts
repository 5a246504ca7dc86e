/*
 * Batch install, in modules of one job: which artifacts may share a pip call (wheel-only.ts), waves
 * in dependency order (topo.ts), one wave (install-wave.ts), one exclusive section with one pip call
 * for a group (install-group.ts), the group's pip arguments (group-pip.ts). This module keeps the
 * public surface in one place.
 */
export { oldStateOf, requirementNames, wheelOnlyInstall, type OldState, type WheelOnlyInstall } from './wheel-only';
export { groupByTree, runTopologically, type TopoOutcome } from './topo';
export { installWave, type BatchItem, type ItemResult, type ItemRoute, type WaveInput } from './install-wave';
export { groupPipArgs } from './group-pip';
