// GitHub's published REST description (@octokit/openapi, api.github.com), as a judge of the
// loopback GitHub: every request the stand-in receives and every answer it gives is checked against
// the operation it is for. A request to a route GitHub does not have, a parameter it does not take,
// a body it would refuse; an answer with a status it does not give or a shape it does not send: each
// is a violation, and the stand-in fails the test on any (github-server.ts).
//
// GitHub may answer any call with 401 (bad credentials), 403 (rate limits, a token without the
// right), 429 or 5xx, documented for the operation or not: those are checked as GitHub's error body.
// GraphQL (`POST /graphql`) is not in the REST description: it must be a POST with a JSON `query`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Schema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  operationId: string;
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> } | { $ref: string }>;
}

interface Description {
  paths: Record<string, Record<string, Operation>>;
  components: { parameters: Record<string, Parameter>; responses: Record<string, unknown> };
}

/** One operation of the description, and where it is in it. */
export interface Route {
  method: string;
  template: string;
  operation: Operation;
  /** The path parameters' values, by name. */
  params: Record<string, string>;
}

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** The file of the package that holds api.github.com's description, its `$ref`s unresolved. */
export const DESCRIPTION_FILE = require.resolve('@octokit/openapi/generated/api.github.com.json');

/**
 * OpenAPI 3.0's `nullable` as JSON Schema: `type` gains `null`; where there is no `type` (an
 * `allOf` that may be null), the schema becomes "this, or null".
 */
function nullableToJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) out[key] = nullableToJsonSchema(value);
  if (out['nullable'] !== true) return out;
  delete out['nullable'];
  // OpenAPI 3.0 lets null through an `enum` of a nullable schema; JSON Schema needs it listed.
  const values = out['enum'];
  if (Array.isArray(values) && !values.includes(null))
    out['enum'] = [...(values as unknown[]), null];
  const { type } = out;
  if (typeof type === 'string') return { ...out, type: [type, 'null'] };
  if (Array.isArray(type)) return { ...out, type: [...(type as string[]), 'null'] };
  return { anyOf: [out, { type: 'null' }] };
}

/** The formats GitHub's description names that ajv-formats does not know: not checked. */
const LOOSE_FORMATS = [
  'int64',
  'int32',
  'double',
  'repo.nwo',
  'binary',
  'uri-template',
  'timestamp',
];

function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes, logger: false });
  addFormats(ajv);
  for (const format of LOOSE_FORMATS) ajv.addFormat(format, true);
  return ajv;
}

/** Loaded once per process: the description, and an ajv for bodies and one for parameters. */
class Judge {
  readonly description: Description;
  private readonly bodies = makeAjv(false);
  private readonly parameters = makeAjv(true);
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routes: {
    method: string;
    template: string;
    re: RegExp;
    names: string[];
    literals: number;
  }[] = [];

  constructor() {
    this.description = nullableToJsonSchema(
      JSON.parse(readFileSync(DESCRIPTION_FILE, 'utf8')),
    ) as Description;
    // The whole description under one id: `#/components/...` references resolve within it.
    const document = {
      $id: 'github',
      components: this.description.components,
      paths: this.description.paths,
    };
    this.bodies.addSchema(document);
    this.parameters.addSchema(document);
    for (const [template, methods] of Object.entries(this.description.paths)) {
      const names: string[] = [];
      const pattern = template
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\\?\{([^}]+)\\?\}/g, (_m, name: string) => {
          names.push(name);
          // A file's path in the contents API holds slashes.
          return name === 'path' ? '(.+)' : '([^/]+)';
        });
      const literals = template.split('/').filter((s) => s && !s.startsWith('{')).length;
      for (const method of Object.keys(methods)) {
        this.routes.push({
          method: method.toUpperCase(),
          template,
          re: new RegExp(`^${pattern}$`),
          names,
          literals,
        });
      }
    }
    // The most literal template first: /issues/comments/{id} before /issues/{number}/{...}.
    this.routes.sort((a, b) => b.literals - a.literals);
  }

  route(method: string, path: string): Route | undefined {
    for (const r of this.routes) {
      const hit = r.method === method ? r.re.exec(path) : null;
      if (!hit) continue;
      const params = Object.fromEntries(
        r.names.map((n, i) => [n, decodeURIComponent(hit[i + 1] ?? '')]),
      );
      const operation = this.description.paths[r.template]![r.method.toLowerCase()]!;
      return { method, template: r.template, operation, params };
    }
    return undefined;
  }

  /** A parameter, its `$ref` resolved. */
  parameter(p: Parameter | { $ref: string }): Parameter {
    if (!('$ref' in p)) return p;
    const name = p.$ref.replace('#/components/parameters/', '');
    return this.description.components.parameters[name]!;
  }

  /** Validates `value` against the schema at `pointer` (a JSON pointer into the description). */
  check(pointer: string, value: unknown, kind: 'body' | 'parameter'): ErrorObject[] {
    const key = `${kind} ${pointer}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const ref = { $ref: `github#${pointer}` };
      // A parameter is text in a URL: coerced (`100` is the integer 100), inside a wrapper object
      // so that ajv can coerce it in place.
      validate =
        kind === 'body'
          ? this.bodies.compile(ref)
          : this.parameters.compile({ type: 'object', properties: { value: ref } });
      this.compiled.set(key, validate);
    }
    const data = kind === 'parameter' ? { value } : value;
    return validate(data) ? [] : [...(validate.errors ?? [])];
  }
}

let judge: Judge | undefined;

/** The judge, loaded on first use (about a second: the description is 13 MB). */
export function github(): Judge {
  judge ??= new Judge();
  return judge;
}

/** JSON pointer escaping of one path segment. */
const seg = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

function describeErrors(errors: readonly ErrorObject[]): string {
  return errors
    .slice(0, 4)
    .map(
      (e) =>
        `${e.instancePath || '(root)'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` '${String(e.params['additionalProperty'])}'` : ''}`,
    )
    .join('; ');
}

/** What GitHub would refuse in a request: empty when it would take it. */
export function checkRequest(
  method: string,
  url: URL,
  body: unknown,
): { route?: Route; violations: string[] } {
  if (method === 'POST' && url.pathname === '/graphql') {
    const query = (body as { query?: unknown } | undefined)?.query;
    return {
      violations: typeof query === 'string' ? [] : ['POST /graphql without a JSON query string'],
    };
  }
  const route = github().route(method, url.pathname);
  if (!route)
    return { violations: [`${method} ${url.pathname}: no such route in GitHub's REST API`] };
  const where = `${method} ${route.template}`;
  const violations: string[] = [];
  const parameters = (route.operation.parameters ?? []).map((p) => github().parameter(p));
  const pointerOf = (p: Parameter): string => {
    const i = parameters.indexOf(p);
    const raw = route.operation.parameters?.[i];
    return raw && '$ref' in raw
      ? `${raw.$ref.slice(1)}/schema`
      : `/paths/${seg(route.template)}/${method.toLowerCase()}/parameters/${i}/schema`;
  };
  for (const p of parameters) {
    const value =
      p.in === 'path'
        ? route.params[p.name]
        : p.in === 'query'
          ? url.searchParams.get(p.name)
          : undefined;
    if (value === undefined || value === null) {
      if (p.required && p.in !== 'header')
        violations.push(`${where}: the ${p.in} parameter ${p.name} is missing`);
      continue;
    }
    if (!p.schema) continue;
    const errors = github().check(pointerOf(p), value, 'parameter');
    if (errors.length) violations.push(`${where}: ${p.name}=${value}: ${describeErrors(errors)}`);
  }
  const known = new Set(parameters.filter((p) => p.in === 'query').map((p) => p.name));
  for (const name of new Set(url.searchParams.keys())) {
    if (!known.has(name)) violations.push(`${where}: GitHub takes no query parameter ${name}`);
  }
  violations.push(...checkRequestBody(route, where, body));
  return { route, violations };
}

function checkRequestBody(route: Route, where: string, body: unknown): string[] {
  const content = route.operation.requestBody?.content?.['application/json'];
  const empty = body === undefined;
  if (!content?.schema) return empty ? [] : [`${where}: GitHub takes no request body here`];
  if (empty)
    return route.operation.requestBody?.required ? [`${where}: the request body is missing`] : [];
  const pointer = `/paths/${seg(route.template)}/${route.method.toLowerCase()}/requestBody/content/application~1json/schema`;
  const errors = github().check(pointer, body, 'body');
  return errors.length ? [`${where}: a body GitHub would refuse: ${describeErrors(errors)}`] : [];
}

/** Statuses GitHub may give any call, documented for the operation or not. */
const ANY_CALL = (status: number): boolean =>
  status === 401 || status === 403 || status === 429 || status >= 500;

/** What GitHub would not send in an answer: empty when it could have. */
export function checkResponse(route: Route | undefined, status: number, body: unknown): string[] {
  if (!route) return []; // the request was the violation (or GraphQL)
  const where = `${route.method} ${route.template} answered ${status}`;
  const responses = route.operation.responses;
  const documented = responses[String(status)];
  if (!documented) {
    if (!ANY_CALL(status)) return [`${where}: a status GitHub does not give this operation`];
    const errors = github().check('/components/schemas/basic-error', body, 'body');
    return errors.length ? [`${where}: not GitHub's error body: ${describeErrors(errors)}`] : [];
  }
  const base = `/paths/${seg(route.template)}/${route.method.toLowerCase()}/responses/${status}`;
  const resolved =
    '$ref' in documented
      ? {
          pointer: documented.$ref.slice(1),
          response: github().description.components.responses[
            documented.$ref.split('/').pop()!
          ] as { content?: Record<string, unknown> },
        }
      : { pointer: base, response: documented };
  const json = resolved.response.content?.['application/json'] as { schema?: unknown } | undefined;
  if (!json?.schema) return [];
  const errors = github().check(
    `${resolved.pointer}/content/application~1json/schema`,
    body,
    'body',
  );
  return errors.length
    ? [`${where}: a shape GitHub would not send: ${describeErrors(errors)}`]
    : [];
}
