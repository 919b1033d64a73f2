// Policy files: YAML with targets, named groups of targets and rules, read with their line numbers
// so that every mistake names the file, the line and the key; and written back by record mode.
// Pure: the caller reads and writes the file.
import {
  LineCounter,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  stringify,
  type Node,
  type YAMLMap,
} from 'yaml';
import { ConfigurationError } from '../base/errors.js';
import {
  isNamePattern,
  parseException,
  parsePattern,
  parseRulePorts,
  parseServicePin,
  pinText,
  showsNothing,
} from './rules.js';
import { classifyTarget, uniqueTargets } from './targets.js';
import {
  MAX_NAME,
  type Exception,
  type PortRule,
  type Rule,
  type ServicePin,
  type Target,
} from '../base/types.js';

export interface Policy {
  name?: string;
  /** Every target the file names: its `targets` and every group's members. */
  targets: Target[];
  groups: Map<string, string[]>;
  /** Group patterns already expanded into one rule per member. */
  rules: Rule[];
}

const TOP_KEYS = ['name', 'targets', 'groups', 'rules'] as const;
const GROUP_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

class PolicyReader {
  private readonly lines = new LineCounter();
  constructor(private readonly file: string) {}

  fail(node: Node | null | undefined, key: string, problem: string): never {
    const offset = node?.range?.[0];
    const line = offset === undefined ? '' : `:${this.lines.linePos(offset).line}`;
    throw new ConfigurationError(
      'policy',
      `${this.file}${line}${key ? `, key '${key}'` : ''}: ${problem}`,
    );
  }

  where(node: Node | null | undefined): string {
    const offset = node?.range?.[0];
    return offset === undefined ? this.file : `${this.file}:${this.lines.linePos(offset).line}`;
  }

  parse(text: string): Node | null {
    const doc = parseDocument(text, {
      lineCounter: this.lines,
      // yaml's own check compares every key with every other (20,000 rules: seconds); the maps
      // that matter are checked with a Set instead (keys()), in linear time.
      uniqueKeys: false,
      prettyErrors: false,
    });
    const error = doc.errors[0];
    if (error) {
      const line = this.lines.linePos(error.pos[0]).line;
      throw new ConfigurationError(
        'policy',
        `${this.file}${line ? `:${line}` : ''}: not valid YAML: ${error.message.split('\n')[0]}`,
      );
    }
    return doc.contents;
  }

  /** Refuses a key written twice in one mapping, as YAML does. */
  unique(items: readonly { key: unknown }[], where: string): void {
    const seen = new Set<string>();
    for (const pair of items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (seen.has(key)) {
        this.fail(pair.key as Node, where ? `${where}.${key}` : key, 'this key is there twice');
      }
      seen.add(key);
    }
  }

  /**
   * A list of strings, or one string; numbers are taken as written in decimal. YAML reads 0x50,
   * 0o120 and 8e1 as 80: a reviewer would not see port 80 there, so they are refused.
   */
  strings(node: unknown, key: string): { value: string; node: Node }[] {
    return this.items(isSeq(node) ? node.items : [node], key);
  }

  items(items: readonly unknown[], key: string): { value: string; node: Node }[] {
    return items.map((item) => {
      if (isScalar(item) && typeof item.value === 'number') {
        const written = item.source ?? String(item.value);
        if (!/^\d+$/.test(written)) {
          const form =
            item.format === 'HEX' ? 'a hexadecimal' : item.format === 'OCT' ? 'an octal' : 'a';
          this.fail(
            item,
            key,
            `'${written}' is ${form} YAML number (${item.value}), which hides the port it stands for: write ports in decimal, such as ${Number.isInteger(item.value) ? item.value : 80}`,
          );
        }
        return { value: written, node: item };
      }
      if (isScalar(item) && typeof item.value === 'string') {
        return { value: String(item.value).trim(), node: item };
      }
      return this.fail(item as Node, key, 'expected a string or a list of strings');
    });
  }
}

/** What is wrong with a name longer than MAX_NAME, and the fix (the name is not quoted). */
export function nameTooLong(name: string): string {
  return `is ${[...name].length.toLocaleString('en-US')} characters long; at most ${MAX_NAME}: the name is repeated in every report, the issue's title and every Slack message. Give a shorter name.`;
}

/** Reads a policy file's text; `file` names it in errors. */
export function parsePolicy(text: string, file: string): Policy {
  const reader: PolicyReader = new PolicyReader(file);
  const root = readRoot(reader, text);
  const section = (key: (typeof TOP_KEYS)[number]): Section | undefined => {
    const pair = root.items.find((p) => isScalar(p.key) && p.key.value === key);
    return pair ? { node: pair.value, keyNode: pair.key as Node } : undefined;
  };
  const policy: Policy = { targets: [], groups: new Map(), rules: [] };
  const name = section('name');
  if (name) policy.name = readName(reader, name);
  /** Every target entry of `targets` and of the groups, as written; duplicates are dropped after. */
  const written: Target[] = [];
  const addTarget = (spec: string, node: Node, key: string): void => {
    const target = classifyTarget(spec);
    if (typeof target === 'string') {
      reader.fail(node, key, `${target}. Write hostnames, IPv4 or IPv6 addresses, or CIDR blocks.`);
    }
    written.push(target);
  };
  const targets = section('targets');
  if (targets) {
    for (const { value, node } of reader.strings(targets.node, 'targets')) {
      addTarget(value, node, 'targets');
    }
  }
  const groups = section('groups');
  if (groups) readGroups(reader, groups, policy.groups, addTarget);
  policy.targets = uniqueTargets(written);
  const names = new Set(policy.targets.map((t) => t.spec.toLowerCase()));
  if (groups) {
    for (const groupName of policy.groups.keys()) {
      if (names.has(groupName)) {
        reader.fail(
          groups.keyNode,
          `groups.${groupName}`,
          `'${groupName}' is both a group and a target: rename the group`,
        );
      }
    }
  }
  const rules = section('rules');
  if (rules) policy.rules.push(...readRules(reader, rules, policy.groups, names));
  return policy;
}

/** A top-level key's value, and the key itself (errors point at it). */
interface Section {
  node: unknown;
  keyNode: Node;
}

/** The file's mapping, its keys each once and each known. */
function readRoot(reader: PolicyReader, text: string): YAMLMap {
  const root = reader.parse(text);
  if (root === null || (isScalar(root) && root.value === null)) {
    reader.fail(root, '', 'the file is empty. Give at least targets and rules.');
  }
  if (!isMap(root)) reader.fail(root, '', 'expected a mapping with targets, groups and rules');
  reader.unique(root.items, '');
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '?';
    if (!(TOP_KEYS as readonly string[]).includes(key)) {
      reader.fail(pair.key as Node, key, `unknown key. A policy has only ${TOP_KEYS.join(', ')}.`);
    }
  }
  return root;
}

function readName(reader: PolicyReader, name: Section): string {
  if (!isScalar(name.node) || typeof name.node.value !== 'string' || !name.node.value.trim()) {
    reader.fail(name.keyNode, 'name', 'expected a non-empty string');
  }
  const value = name.node.value.trim();
  if ([...value].length > MAX_NAME) {
    reader.fail(name.keyNode, 'name', nameTooLong(value));
  }
  return value;
}

/** `groups`: each group's members, added as targets too, under its name in lower case. */
function readGroups(
  reader: PolicyReader,
  groups: Section,
  into: Map<string, string[]>,
  addTarget: (spec: string, node: Node, key: string) => void,
): void {
  if (!isMap(groups.node))
    reader.fail(groups.keyNode, 'groups', 'expected a mapping of group names to lists of targets');
  reader.unique(groups.node.items, 'groups');
  for (const pair of groups.node.items) {
    const groupName = isScalar(pair.key) ? String(pair.key.value) : '';
    const key = `groups.${groupName}`;
    if (!GROUP_NAME.test(groupName)) {
      reader.fail(
        pair.key as Node,
        key,
        'a group name starts with a letter and holds letters, digits, _ or -',
      );
    }
    const members = reader.strings(pair.value, key);
    for (const { value, node } of members) addTarget(value, node, key);
    into.set(
      groupName.toLowerCase(),
      members.map((m) => m.value),
    );
  }
}

/** `rules`: a rule per pattern, a group's expanded into one per member. */
function readRules(
  reader: PolicyReader,
  rules: Section,
  groups: ReadonlyMap<string, readonly string[]>,
  names: ReadonlySet<string>,
): Rule[] {
  if (!isMap(rules.node))
    reader.fail(
      rules.keyNode,
      'rules',
      "expected a mapping of patterns to ports, such as 'web: [80, 443]'",
    );
  reader.unique(rules.node.items, 'rules');
  const out: Rule[] = [];
  for (const pair of rules.node.items) {
    const raw = isScalar(pair.key) ? String(pair.key.value) : '';
    const key = `rules.${raw}`;
    const ports = parsePortsNode(reader, pair.value, key);
    const source = reader.where(pair.key as Node);
    const expanded = expandGroup({ pattern: raw, ports, source }, groups);
    if (expanded) {
      out.push(...expanded);
      continue;
    }
    const pattern = parsePattern(raw);
    if (typeof pattern !== 'string') {
      reader.fail(
        pair.key as Node,
        key,
        `${pattern.error}. A pattern is a target, a group, an IP, a CIDR or '*'.`,
      );
    }
    if (isNamePattern(pattern) && !names.has(pattern.toLowerCase())) {
      reader.fail(
        pair.key as Node,
        key,
        `'${pattern}' names no target and no group of this file. Check the spelling, or add it to targets.`,
      );
    }
    out.push({ pattern, ports, source });
  }
  return out;
}

/**
 * A rule whose pattern names a group (case-insensitively), as one rule per member with the same
 * ports and source; undefined when the pattern names no group.
 */
export function expandGroup(
  rule: Rule,
  groups: ReadonlyMap<string, readonly string[]>,
): Rule[] | undefined {
  return groups.get(rule.pattern.toLowerCase())?.map((pattern) => ({ ...rule, pattern }));
}

const MAPPING_KEYS = ['port', 'service', 'tls', 'until', 'reason'] as const;

/**
 * A rule's ports: a list whose items are ports (`22`, `'8080?'`, `53/udp`, `'8000-8100'`,
 * `'443 (https, tls)'`) or mappings: `{port, service, tls}` pin what answers there, and
 * `{port, until, reason}` accepts the port until a date.
 */
function parsePortsNode(reader: PolicyReader, node: unknown, key: string): PortRule[] {
  if (node === null || (isScalar(node) && node.value === null)) {
    reader.fail(node, key, "no ports (write a list of ports, or 'none')");
  }
  const items = isSeq(node) ? node.items : [node];
  const plain = items.filter((item) => !isMap(item));
  const ports: PortRule[] = [];
  if (plain.length > 0) {
    const written = reader.items(plain, key);
    const parsed = parseRulePorts(written.map((i) => i.value).join(','));
    if (typeof parsed === 'string') {
      reader.fail(
        written[0]?.node,
        key,
        `${parsed}. Example: [22, '443 (https, tls)', 8000-8100, 53/udp, '8080?', {port: 5432, until: 2027-01-31, reason: 'OPS-12'}].`,
      );
    }
    ports.push(...parsed);
  }
  const mappings = items.filter((item): item is YAMLMap => isMap(item));
  if (mappings.length > 0 && plain.length > 0 && ports.length === 0) {
    reader.fail(
      plain[0] as Node,
      key,
      `'none' stands alone: a rule with a port mapping has ports.`,
    );
  }
  for (const item of mappings) ports.push(...parsePortMapping(reader, item, key));
  return ports;
}

const EXCEPTION_EXAMPLE =
  "Example: {port: 5432, until: 2027-01-31, reason: 'OPS-12, approved by alice'}.";
const PIN_EXAMPLE = 'Example: {port: 443, service: https, tls: true}.';

/**
 * `{port: 22, service: ssh}`, `{port: 443, service: 'https nginx', tls: true}`: what must answer
 * there; `{port: 5432, until: 2027-01-31, reason: 'OPS-12, approved by alice'}`: accepted until
 * then. Both may be given together.
 */
function parsePortMapping(reader: PolicyReader, node: YAMLMap, key: string): PortRule[] {
  reader.unique(node.items, key);
  const field = (name: (typeof MAPPING_KEYS)[number]): Node | undefined =>
    node.items.find((p) => isScalar(p.key) && p.key.value === name)?.value as Node | undefined;
  for (const pair of node.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '?';
    if (!(MAPPING_KEYS as readonly string[]).includes(name)) {
      reader.fail(
        pair.key as Node,
        `${key}.${name}`,
        `unknown key. A port mapping has port, and service, tls, or until and reason.`,
      );
    }
  }
  const excepted = field('until') !== undefined || field('reason') !== undefined;
  const example = excepted ? EXCEPTION_EXAMPLE : PIN_EXAMPLE;
  const portNode = field('port');
  if (!portNode) {
    const what = excepted ? 'an exception' : 'a port mapping';
    reader.fail(node, `${key}.port`, `${what} names its port. ${example}`);
  }
  const written = reader.strings(portNode, `${key}.port`);
  const ports = parseRulePorts(written.map((i) => i.value).join(','));
  if (typeof ports === 'string' || ports.length === 0) {
    return reader.fail(
      portNode,
      `${key}.port`,
      `${typeof ports === 'string' ? ports : "'none' is no port"}. ${example}`,
    );
  }
  const pinned = readPin(reader, field, key, ports);
  if (!excepted) return pinned;
  const marked = written.find((i) => /\?\s*(\(|$)/.test(i.value.trim()));
  if (marked) {
    reader.fail(
      marked.node,
      `${key}.port`,
      `'${marked.value.trim()}': an exception accepts its port until the date and never requires it, so its port takes no '?': remove it. ${example}`,
    );
  }
  const exception = readException(reader, node, field, key);
  return pinned.map((p) => ({ ...p, optional: true, exception }));
}

/** A mapping's `service` and `tls`, on each of its ports. */
function readPin(
  reader: PolicyReader,
  field: (name: (typeof MAPPING_KEYS)[number]) => Node | undefined,
  key: string,
  ports: PortRule[],
): PortRule[] {
  const serviceNode = field('service');
  const tlsNode = field('tls');
  let service: ServicePin | undefined;
  if (serviceNode !== undefined) {
    if (!isScalar(serviceNode) || typeof serviceNode.value !== 'string') {
      reader.fail(serviceNode, `${key}.service`, `expected a service name. ${PIN_EXAMPLE}`);
    }
    const pin = parseServicePin(String(serviceNode.value));
    if (typeof pin === 'string')
      reader.fail(serviceNode, `${key}.service`, `${pin}. ${PIN_EXAMPLE}`);
    service = pin;
  }
  if (tlsNode !== undefined && !(isScalar(tlsNode) && typeof tlsNode.value === 'boolean')) {
    reader.fail(tlsNode, `${key}.tls`, `expected true or false. ${PIN_EXAMPLE}`);
  }
  const tls = isScalar(tlsNode) && tlsNode.value === true;
  if (tls && ports.some((p) => p.protocol === 'udp')) {
    reader.fail(
      tlsNode,
      `${key}.tls`,
      `'tls' on a UDP port: the certificate check speaks TLS over TCP.`,
    );
  }
  return ports.map((p) => ({ ...p, ...(service ? { service } : {}), ...(tls ? { tls } : {}) }));
}

/** A mapping's `until` and `reason`, checked. */
function readException(
  reader: PolicyReader,
  node: YAMLMap,
  field: (name: (typeof MAPPING_KEYS)[number]) => Node | undefined,
  key: string,
): Exception {
  const example = EXCEPTION_EXAMPLE;
  const text = (name: 'until' | 'reason'): string => {
    const value = field(name);
    if (value === undefined) {
      return reader.fail(node, `${key}.${name}`, `an exception needs its ${name}. ${example}`);
    }
    if (!isScalar(value) || (typeof value.value !== 'string' && typeof value.value !== 'number')) {
      return reader.fail(value ?? node, `${key}.${name}`, `expected a string. ${example}`);
    }
    return value.source ?? String(value.value);
  };
  const [until, reason] = [text('until'), text('reason')];
  if (showsNothing(reason)) {
    reader.fail(
      field('reason') ?? node,
      `${key}.reason`,
      `an exception needs its reason: who accepted it and why${reason.trim() === '' ? '' : ' (this one holds only characters that show nothing, such as zero-width spaces)'}. ${example}`,
    );
  }
  const exception = parseException(until, reason);
  if (typeof exception === 'string') {
    reader.fail(field('until') ?? node, `${key}.until`, `${exception}. ${example}`);
  }
  return exception;
}

type PortItem = string | number | { port: string | number; until: string; reason: string };

/** What a port says in parentheses: ` (https, tls)`; empty when nothing. */
function annotationOf(p: PortRule): string {
  const words = [...(p.service ? [pinText(p.service)] : []), ...(p.tls ? ['tls'] : [])];
  return words.length ? ` (${words.join(', ')})` : '';
}

/** A rule's ports in the policy's own words, `22`, `53/udp`, `8080?`, `'22 (ssh)'`, `{port, until, reason}`. */
function formatPorts(ports: readonly PortRule[]): PortItem[] {
  return ports.map((p) => {
    const range = p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`;
    const optional = p.optional && !p.exception ? '?' : '';
    const text = `${range}${p.protocol === 'udp' ? '/udp' : ''}${optional}${annotationOf(p)}`;
    const port = /^\d+$/.test(text) ? Number(text) : text;
    return p.exception ? { port, until: p.exception.until, reason: p.exception.reason } : port;
  });
}

/** Writes a policy file that parsePolicy reads back to the same targets, groups and rules. */
export function formatPolicy(
  policy: {
    name?: string;
    targets: readonly string[];
    groups?: ReadonlyMap<string, readonly string[]>;
    rules: readonly Rule[];
  },
  header: readonly string[] = [],
): string {
  const doc: Record<string, unknown> = {};
  if (policy.name) doc['name'] = policy.name;
  doc['targets'] = [...policy.targets];
  if (policy.groups && policy.groups.size > 0) {
    doc['groups'] = Object.fromEntries([...policy.groups].map(([k, v]) => [k, [...v]]));
  }
  const rules: Record<string, PortItem[] | string> = {};
  for (const rule of policy.rules) {
    const ports = formatPorts(rule.ports);
    const prior = rules[rule.pattern];
    rules[rule.pattern] = Array.isArray(prior)
      ? [...prior, ...ports]
      : ports.length
        ? ports
        : 'none';
  }
  doc['rules'] = rules;
  const comments = header.map((line) => `# ${line}`.trimEnd()).join('\n');
  return `${comments ? `${comments}\n` : ''}${stringify(doc, { lineWidth: 0 })}`;
}
