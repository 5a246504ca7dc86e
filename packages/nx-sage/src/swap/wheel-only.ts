import type { ArtifactMeta } from '../stage/artifact';
import { extractScriptBody } from '../stage/script-wrapper';
import { KEEP_EXISTING_PACKAGES } from './keep-existing';
import { normalizeDistName } from './venv-state';

/*
 * Which installs may join a batch's combined pip call: artifacts that are nothing but stored wheels +
 * the spkg-requirements/pipinst/piprm that our sdh helpers write, replacing a version whose removal is
 * only that piprm. Pure: decided from the artifact's metadata and script texts.
 */

const REQUIREMENTS_REF = String.raw`"\$SAGE_SPKG_SCRIPTS/\$PKG_BASE/spkg-requirements.txt"`;
/** What sdh_store_and_pip_install_wheel appends to spkg-pipinst (no pip options: they would need care). */
const PIPINST_LINE = new RegExp(String.raw`^sdh_actually_pip_install_wheel ([A-Za-z0-9._]+)\s+-r ${REQUIREMENTS_REF}$`);
/** ... and to spkg-piprm. */
const PIPRM_LINE = new RegExp(String.raw`^sdh_pip_uninstall -r ${REQUIREMENTS_REF}$`);
const WHEEL_FILE = /^var\/lib\/sage\/wheels\/[^/]+\.whl$/;
const ALLOWED_SCRIPTS = new Set(['pipinst', 'piprm', 'check']);

export interface WheelOnlyInstall {
  /** Distribution names the pipinst lines (un)install, in order. */
  dists: string[];
}

const lines = (body: string) =>
  body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

/**
 * Whether an artifact is a pure wheel install that may join a combined pip call: returns the
 * distributions, or why not (a string). Anything we do not recognise exactly goes the normal way.
 */
export function wheelOnlyInstall(meta: ArtifactMeta, scripts: Record<string, string>): WheelOnlyInstall | string {
  if (meta.source === 'pip') return 'pip-type package (requirements resolved by pip)';
  if (KEEP_EXISTING_PACKAGES.has(meta.package)) return 'toolchain package kept while reinstalled';
  const requirements = `var/lib/sage/scripts/${meta.package}/spkg-requirements.txt`;
  const wheels = meta.files.filter((f) => WHEEL_FILE.test(f));
  const other = meta.files.filter((f) => f !== requirements && !WHEEL_FILE.test(f));
  if (other.length > 0) return `installs files other than wheels (${other[0]})`;
  if (wheels.length === 0 || !meta.files.includes(requirements)) return 'no stored wheel with spkg-requirements.txt';
  const names = Object.keys(scripts);
  const extra = names.filter((n) => !ALLOWED_SCRIPTS.has(n));
  if (extra.length > 0) return `has spkg-${extra[0]}`;
  if (scripts.pipinst === undefined || scripts.piprm === undefined) return 'no spkg-pipinst/spkg-piprm';
  const dists: string[] = [];
  for (const line of lines(scripts.pipinst)) {
    const match = PIPINST_LINE.exec(line);
    if (!match) return `spkg-pipinst is not plain sdh_store_and_pip_install_wheel output: ${line}`;
    dists.push(match[1]);
  }
  const rm = lines(scripts.piprm);
  if (rm.length === 0 || !rm.every((l) => PIPRM_LINE.test(l))) return 'spkg-piprm is not plain sdh_store_and_pip_install_wheel output';
  const want = new Set(meta.distributions.map((d) => normalizeDistName(d.name)));
  const got = new Set(dists.map(normalizeDistName));
  if (dists.length === 0 || want.size !== got.size || [...want].some((d) => !got.has(d))) {
    return 'the wheels stored and the distributions spkg-pipinst installs differ';
  }
  return { dists };
}

/** Distribution names of a requirements file (`name @ file://...`, `name==1.0`, `name`); undefined if it has options. */
export function requirementNames(text: string): string[] | undefined {
  const names: string[] = [];
  for (const line of lines(text)) {
    if (line.startsWith('-')) return undefined;
    const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
    if (!match) return undefined;
    names.push(match[1]);
  }
  return names;
}

/** What removing the installed version does in the venv, when it is only what our piprm does. */
export interface OldState {
  /** Distributions its piprm would uninstall. */
  dists: string[];
}

/**
 * The installed version (its stamp and SAGE_SPKG_SCRIPTS/<pkg>) may be removed inside the group
 * only when removal runs no script but a plain piprm (whose pip uninstall the group does itself).
 */
export function oldStateOf(
  installed: { files?: unknown } | undefined,
  scriptsDir: { entries: string[]; read: (name: string) => string },
): OldState | string {
  if (!installed || !Array.isArray(installed.files)) return { dists: [] }; // no stamp / no manifest: no script runs
  const entries = scriptsDir.entries;
  const unknown = entries.filter((n) => !['spkg-requirements.txt', 'spkg-piprm', 'spkg-check'].includes(n));
  if (unknown.length > 0) return `the installed version has ${unknown[0]}`;
  if (!entries.includes('spkg-piprm')) return { dists: [] };
  const body = lines(extractScriptBody(scriptsDir.read('spkg-piprm')));
  if (!body.every((l) => PIPRM_LINE.test(l))) return 'the installed spkg-piprm is not plain sdh_pip_uninstall';
  if (body.length === 0) return { dists: [] };
  if (!entries.includes('spkg-requirements.txt')) return { dists: [] };
  const names = requirementNames(scriptsDir.read('spkg-requirements.txt'));
  return names ? { dists: names } : 'the installed spkg-requirements.txt has pip options';
}

