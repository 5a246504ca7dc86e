/** Codes for problems found in a package directory; callers branch on `code`, never on the message. */
export type SpkgErrorCode =
  | 'EBADNAME'
  | 'EBADTYPE'
  | 'EBADCHECKSUMS'
  | 'EUNKNOWNDEP'
  | 'EUNDEFINEDVAR'
  | 'EBADDEPS'
  | 'EUNREADABLE'
  | 'EUNSUPPORTED';

export interface SpkgErrorDetails {
  code: SpkgErrorCode;
  /** Package the problem belongs to. */
  pkg: string;
  /** File the problem was found in (as given to the reader: usually absolute). */
  file?: string;
  /** 1-based line number when the problem is on one line. */
  line?: number;
  /** What the user should do about it. */
  hint?: string;
}

/** A problem in one package's metadata, worded for a human: package, file:line, what to do. */
export class SpkgError extends Error {
  readonly code: SpkgErrorCode;
  readonly pkg: string;
  readonly file?: string;
  readonly line?: number;

  constructor(problem: string, details: SpkgErrorDetails) {
    const where = details.file ? `${details.file}${details.line ? `:${details.line}` : ''}: ` : '';
    super(`${where}package '${details.pkg}': ${problem}${details.hint ? `\n  → ${details.hint}` : ''}`);
    this.name = 'SpkgError';
    this.code = details.code;
    this.pkg = details.pkg;
    this.file = details.file;
    this.line = details.line;
  }
}
