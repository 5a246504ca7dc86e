import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Per-package log: every line goes to the log file and, prefixed like sage-logger, to the console. */
export interface PackageLogger {
  readonly logFile: string;
  readonly prefix: string;
  /** One line of tool output (already without newline). */
  line(text: string): void;
  /** A message of nx-sage itself (marked so it stands out from tool output). */
  info(text: string): void;
  close(): void;
}

export interface LoggerOptions {
  logFile: string;
  /** `<pkg>-<ver>` */
  label: string;
  /** Where prefixed lines go (default: process.stdout). */
  echo?: (text: string) => void;
  /** Don't echo tool output, only nx-sage messages (the log file still gets everything). */
  quiet?: boolean;
}

export function openPackageLogger(options: LoggerOptions): PackageLogger {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  const prefix = `[${options.label}] `;
  const echo = options.echo ?? ((text: string) => process.stdout.write(text));
  let open = true;
  const write = (text: string, toConsole: boolean) => {
    if (open) writeSync(fd, `${text}\n`);
    if (toConsole) echo(`${prefix}${text}\n`);
  };
  return {
    logFile: options.logFile,
    prefix,
    line: (text) => write(text, !options.quiet),
    info: (text) => {
      for (const l of text.split('\n')) write(`nx-sage: ${l}`, true);
    },
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
