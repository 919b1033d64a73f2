// One place for errors: a user's mistake (ConfigurationError) is kept apart from a bug or a failure.
import { CONTROL_CHARS } from './untrusted.js';

/** A mistake in the workflow's inputs or the policy: shown as one line, never with a stack. */
export class ConfigurationError extends Error {
  /** The input (or policy file location) at fault. */
  readonly input: string;
  /** What is wrong and how to fix it, on one line: it may quote a YAML key or a value as written. */
  readonly problem: string;

  constructor(input: string, problem: string) {
    // Text quoted from a file may hold line breaks and other control characters.
    const line = problem.replace(CONTROL_CHARS, ' ');
    super(`Input '${input}': ${line}`);
    this.name = 'ConfigurationError';
    this.input = input;
    this.problem = line;
  }
}

/** nmap missing, not installable, or failing: shown with nmap's own message. */
export class NmapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NmapError';
  }
}

/** The message of anything thrown, whatever it is. */
export function getErrorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** The run was cancelled (SIGINT/SIGTERM) before it had anything to report. */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled before anything could be reported: no verdict on drift.');
    this.name = 'CancelledError';
  }
}
