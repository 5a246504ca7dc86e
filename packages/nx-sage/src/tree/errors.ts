/** Codes of build-engine failures; callers branch on `code`, never on the message. */
export type BuildErrorCode =
  | 'ENOTARBALL' // upstream file missing
  | 'ECHECKSUM' // upstream file does not match checksums.ini
  | 'ENOCHECKSUM' // checksums.ini has no checksum for the upstream file (and it was not allowed)
  | 'EDOWNLOAD' // fetching the upstream file failed (HTTP, timeout, size cap)
  | 'EUNSAFEARCHIVE' // archive entries escape the build directory
  | 'EEXTRACT' // archive could not be read/extracted
  | 'EPATCH' // a patch did not apply
  | 'ESCRIPT' // an spkg-* script failed
  | 'ENOVENV' // the venv a Python package needs is missing
  | 'ENOARTIFACT' // install without a build artifact
  | 'EINSTALL' // copying / pip installing into the tree failed
  | 'EUNINSTALL'
  | 'ECONFIG'; // bad options / unsupported package

/** The phases of one package, named as in Sage's sage-spkg where there is a counterpart. */
export type BuildPhase =
  | 'download'
  | 'setup'
  | 'extract'
  | 'patch'
  | 'spkg-preinst'
  | 'spkg-build'
  | 'spkg-install'
  | 'pip-wheel'
  | 'collect'
  | 'install'
  | 'uninstall'
  | 'spkg-pipinst'
  | 'spkg-postinst'
  | 'spkg-check';

export interface BuildErrorDetails {
  code: BuildErrorCode;
  pkg: string;
  phase: BuildPhase;
  logFile?: string;
  file?: string;
  hint?: string;
  cause?: unknown;
}

/** A failure of one package, worded for a human: package, phase, file/log, what to do. */
export class BuildError extends Error {
  readonly code: BuildErrorCode;
  readonly pkg: string;
  readonly phase: BuildPhase;
  readonly logFile?: string;
  readonly file?: string;

  constructor(problem: string, details: BuildErrorDetails) {
    const lines = [`package '${details.pkg}', phase ${details.phase}: ${problem}`];
    if (details.file) lines.push(`  file: ${details.file}`);
    if (details.logFile) lines.push(`  log:  ${details.logFile}`);
    if (details.hint) lines.push(`  → ${details.hint}`);
    super(lines.join('\n'), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'BuildError';
    this.code = details.code;
    this.pkg = details.pkg;
    this.phase = details.phase;
    this.logFile = details.logFile;
    this.file = details.file;
  }
}
