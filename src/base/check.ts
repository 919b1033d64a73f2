// Reading what comes back from outside into typed values: a shard's report.json, a history or a
// last state from the Actions cache or a --state file, the state marker of an issue body. Each is
// declared once with these checks: every field typed and bounded, unknown fields dropped, so that
// nothing unchecked reaches a summary, an issue, a comment, a chart or Slack. A value that does not
// fit throws a SchemaError naming the field.
import ipaddr from 'ipaddr.js';
import { CONTROL_CHARS } from './untrusted.js';

/** A field that does not match its declaration: where (`observed[3].ports[0].port`) and what. */
export class SchemaError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path || 'the file'}: ${problem}`);
    this.name = 'SchemaError';
  }
}

/** Reads a value of type T at a path, or throws a SchemaError. */
export type Check<T> = (value: unknown, path: string) => T;

const OPTIONAL = Symbol('optional');
type Optional<T> = Check<T> & { [OPTIONAL]: true };

/** A field that may be absent (undefined). */
export function optional<T>(check: Check<T>): Optional<T | undefined> {
  const c = ((value: unknown, path: string) =>
    value === undefined ? undefined : check(value, path)) as Optional<T | undefined>;
  c[OPTIONAL] = true;
  return c;
}

function kind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
}

/** Strings are bounded: a report's texts are lines, names and nmap's words, never megabytes. */
const MAX_STRING = 100_000;

export const str: Check<string> = (value, path) => {
  if (typeof value !== 'string') throw new SchemaError(path, `want a string, found ${kind(value)}`);
  if (value.length > MAX_STRING) throw new SchemaError(path, 'a string too long');
  return value;
};

/**
 * A short text of plain words (letters, digits, spaces, `.,:()+-`), for the values the summary
 * shows as they are (nmap's version, the scan type, the privilege): nothing in it can be markup.
 */
export const plain: Check<string> = (value, path) => {
  const text = str(value, path);
  if (!/^[\w .,:()+-]{0,80}$/.test(text)) {
    throw new SchemaError(
      path,
      'want plain words (letters, digits, spaces, .,:()+-), found other characters',
    );
  }
  return text;
};

export const bool: Check<boolean> = (value, path) => {
  if (typeof value !== 'boolean')
    throw new SchemaError(path, `want true or false, found ${kind(value)}`);
  return value;
};

/** A whole number within bounds. */
export function int(min = 0, max = Number.MAX_SAFE_INTEGER): Check<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new SchemaError(
        path,
        `want a whole number in ${min}-${max}, found ${typeof value === 'number' ? value : kind(value)}`,
      );
    }
    return value;
  };
}

/** A finite number within bounds (a share, seconds). */
export function number(min: number, max: number): Check<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new SchemaError(path, `want a number in ${min}-${max}, found ${kind(value)}`);
    }
    return value;
  };
}

/** One of the listed strings (or numbers). */
export function oneOf<const T extends string | number>(...values: T[]): Check<T> {
  return (value, path) => {
    if (!values.includes(value as T)) {
      throw new SchemaError(path, `want one of ${values.join(', ')}`);
    }
    return value as T;
  };
}

export function list<T>(item: Check<T>, max = 10_000_000): Check<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) throw new SchemaError(path, `want a list, found ${kind(value)}`);
    if (value.length > max) throw new SchemaError(path, `more than ${max} items`);
    return value.map((v, i) => item(v, `${path}[${i}]`));
  };
}

/** A map from names to values of one type. */
export function record<T>(item: Check<T>): Check<Record<string, T>> {
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SchemaError(path, `want an object, found ${kind(value)}`);
    }
    const out: Record<string, T> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '__proto__') throw new SchemaError(path, 'a key named __proto__');
      out[k] = item(v, `${path}.${k}`);
    }
    return out;
  };
}

type Fields = Record<string, Check<unknown>>;
type Shape<F extends Fields> = {
  [K in keyof F as F[K] extends Optional<unknown> ? never : K]: ReturnType<F[K]>;
} & {
  [K in keyof F as F[K] extends Optional<unknown> ? K : never]?: Exclude<
    ReturnType<F[K]>,
    undefined
  >;
};

/** An object with these fields; fields it does not declare are dropped. */
export function object<F extends Fields>(fields: F): Check<Shape<F>> {
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SchemaError(path, `want an object, found ${kind(value)}`);
    }
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [name, check] of Object.entries(fields)) {
      const v = check(
        Object.hasOwn(source, name) ? source[name] : undefined,
        path ? `${path}.${name}` : name,
      );
      if (v !== undefined) out[name] = v;
    }
    return out as Shape<F>;
  };
}

/** Any JSON value, kept as it is: only for settings that are compared, never shown. */
export const json: Check<unknown> = (value) => value;

/** An IP address in canonical form, or '' where a report holds a name without an address. */
export const address: Check<string> = (value, path) => {
  const text = str(value, path);
  if (text === '') return text;
  const [base, bits] = text.split('/');
  if (!base || !ipaddr.isValid(base) || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
    throw new SchemaError(path, 'not an IP address or CIDR block');
  }
  return text;
};

/** Text of at most `max` characters. */
export function text(max: number): Check<string> {
  return (value, path) => {
    const t = str(value, path);
    if ([...t].length > max) throw new SchemaError(path, `want at most ${max} characters`);
    return t;
  };
}

/** Text on one line (no control character), of at most `max` characters: a target, a branch. */
export function line(max: number): Check<string> {
  return (value, path) => {
    const t = text(max)(value, path);
    if (new RegExp(CONTROL_CHARS.source).test(t)) {
      throw new SchemaError(path, 'want one line, found a control character');
    }
    return t;
  };
}

/** A string that matches `re` whole: a run id, a port label, a digest. */
export function matching(re: RegExp, what: string): Check<string> {
  return (value, path) => {
    const text = str(value, path);
    if (text.length > 200 || !re.test(text)) throw new SchemaError(path, `want ${what}`);
    return text;
  };
}

/** A time as port-drift writes it: ISO 8601 in UTC, `2026-11-30T14:05:09.123Z`. */
export const isoTime: Check<string> = (value, path) => {
  const text = matching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$/, 'an ISO time in UTC')(
    value,
    path,
  );
  if (!Number.isFinite(Date.parse(text))) throw new SchemaError(path, 'want an ISO time in UTC');
  return text;
};

/** Reads a value with a check; the SchemaError names the field from the top (`runs[3].open`). */
export function checked<T>(check: Check<T>, value: unknown): T {
  return check(value, '');
}

/** An IP address (v4 or v6), no block and no name. */
export const ip: Check<string> = (value, path) => {
  const text = str(value, path);
  if (text.length > 45 || !ipaddr.isValid(text)) throw new SchemaError(path, 'want an IP address');
  return text;
};
