/** Why a generator refused to run; callers (and tests) branch on `code`, never on the message. */
export type GeneratorErrorCode = 'EBADNAME' | 'EEXISTS' | 'EBADOPTION' | 'ENOUPSTREAM' | 'EUNKNOWNDEP';

export class GeneratorError extends Error {
  readonly code: GeneratorErrorCode;

  constructor(code: GeneratorErrorCode, problem: string, hint?: string) {
    super(hint ? `${problem}\n  → ${hint}` : problem);
    this.name = 'GeneratorError';
    this.code = code;
  }
}
