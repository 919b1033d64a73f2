// One place for errors: a user's mistake (ConfigurationError) is kept apart from a bug or a failure.

/** A mistake in the workflow's inputs or the policy: shown as one line, never with a stack. */
export class ConfigurationError extends Error {
  constructor(
    /** The input (or policy file location) at fault. */
    readonly input: string,
    /** What is wrong and how to fix it. */
    readonly problem: string,
  ) {
    super(`Input '${input}': ${problem}`);
    this.name = 'ConfigurationError';
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
