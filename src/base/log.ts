// The log the engine writes to. It is handed a Logger rather than reaching for @actions/core, so the
// same engine serves the action (a logger backed by @actions/core) and the command line (stderr).

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  /** Runs `fn` inside a named, foldable section of the log. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** A logger that writes nothing: for tests and callers that want the result only. */
export const quietLogger: Logger = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  group: (_name, fn) => fn(),
};

/** A logger that writes plain lines to a stream (the command line's stderr). */
export function streamLogger(write: (line: string) => void): Logger {
  return {
    info: (m) => write(m),
    warning: (m) => write(`warning: ${m}`),
    debug: () => undefined,
    group: async (name, fn) => {
      write(`== ${name}`);
      return fn();
    },
  };
}
