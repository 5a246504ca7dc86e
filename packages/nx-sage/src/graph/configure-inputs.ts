import type { NormalizedOptions } from './options';

/**
 * Files, relative to the Sage root (globs allowed), whose content can change EVERY package's build:
 * configure's outputs in a configured checkout (which packages are `system`, the compilers and flags it
 * chose, build/make/Makefile, ...). Every path returned here becomes an input of every build target, so
 * a reconfigured checkout never shares artifacts with the old configuration.
 *
 * Extension point: empty until configured checkouts are supported (the configured-checkout issue fills
 * it). Keep it pure (no disk reads): graph inference calls it once per tree.
 */
export function configureOutputFiles(_options: NormalizedOptions): string[] {
  return [];
}
