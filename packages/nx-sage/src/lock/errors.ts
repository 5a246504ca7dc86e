import type { HolderInfo } from './types';

/** Callers branch on `code`, never on the message. */
export type TreeLockErrorCode = 'ETIMEOUT' | 'ECOMPROMISED' | 'ELOCKUPGRADE' | 'EABORT';

export class TreeLockError extends Error {
  readonly code: TreeLockErrorCode;
  /** The hold that blocked us (ETIMEOUT), when known. */
  readonly holder?: HolderInfo;

  constructor(code: TreeLockErrorCode, message: string, details: { holder?: HolderInfo; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TreeLockError';
    this.code = code;
    this.holder = details.holder;
  }
}

export const isErrnoCode = (error: unknown, ...codes: string[]): boolean =>
  typeof error === 'object' && error !== null && codes.includes((error as NodeJS.ErrnoException).code ?? '');
