// report.sarif: the findings as SARIF 2.1.0 for GitHub code scanning. Pure: the report, the rules
// and where they were declared go in, a SARIF object comes out. One rule per drift kind; each
// result points at the line that declared the rule (or target) it is about, and carries a
// fingerprint of what it is about (never of volatile data), so an alert is followed across runs.
import { createHash } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import { LineCounter, parseDocument, visit, isScalar } from 'yaml';
import { remedyFor } from '../findings/hints.js';
import { certificateText } from '../findings/behind.js';
import { expectationFor } from '../settings/rules.js';
import {
  FINDING_KINDS,
  type Finding,
  type FindingKind,
  type ObservedAddress,
  type Rule,
} from '../base/types.js';
import { describeService } from './format.js';
import { oneLine } from '../base/markdown.js';
import type { Report } from './report.js';

const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The key of our own fingerprint: a new algorithm gets a new version, so old alerts close cleanly. */
export const FINGERPRINT_KEY = 'portDrift/v1';

interface RuleText {
  name: string;
  short: string;
  full: string;
  help: string;
  /** GitHub code scanning's 0-10 severity for security rules. */
  severity: string;
}

const RULES: Record<FindingKind, RuleText> = {
  'unexpected-open': {
    name: 'UnexpectedOpenPort',
    short: 'A port is open that the policy does not allow',
    full: 'A scanned port answered as open, and no rule for its address lists it.',
    help: 'Something listens where the policy says nothing should be reachable: a forgotten service, a default configuration bound to every interface, or a firewall rule that drifted. Close the port (bind the service to a private interface, or block it in the firewall), or, if it is meant to be reachable, add it to the rule for this target.',
    severity: '7.5',
  },
  missing: {
    name: 'MissingPort',
    short: 'A port the policy requires is not open',
    full: 'A port a rule requires was scanned and found closed or filtered, or did not answer.',
    help: 'A service the policy declares reachable is not: it is down, or a firewall drops it. Start the service or open the firewall for it; or, if it may be closed, mark the port optional with `?` in the rule, or remove it.',
    severity: '5.0',
  },
  'host-down': {
    name: 'HostDown',
    short: 'A declared host does not resolve or answers nothing',
    full: 'A hostname target does not resolve, or an address answered nothing on any scanned port.',
    help: 'The host is gone, renamed, or behind a firewall that drops everything from the scanner. Check the DNS name and the host; remove the target when it is retired.',
    severity: '5.0',
  },
  'service-changed': {
    name: 'ServiceChanged',
    short: 'A pinned port answers as another service',
    full: 'Version detection found a service on a port whose rule pins another service (or product) there.',
    help: 'The port is allowed, but what listens on it is not what the policy pins: a replaced service, a debug server, a port forward, or another host behind the address. Check what now listens on the port; restore the service, or change the pin in the rule if the change is meant.',
    severity: '7.0',
  },
  'tls-expired': {
    name: 'TlsCertificateExpired',
    short: 'The TLS certificate on a port has expired',
    full: "The certificate nmap's ssl-cert script read on a port marked tls is past its notAfter date (UTC).",
    help: 'Clients refuse an expired certificate: the service is down for them, or they were told to ignore errors. Renew the certificate, reload the service, and check the automatic renewal.',
    severity: '7.0',
  },
  'tls-expiring': {
    name: 'TlsCertificateExpiring',
    short: 'The TLS certificate on a port expires soon',
    full: 'The certificate on a port marked tls ends within the days set by tls-expiry.',
    help: 'Renew the certificate before its notAfter date and check that its automatic renewal runs. tls-expiry sets how many days ahead this warns.',
    severity: '4.0',
  },
  'tls-name-mismatch': {
    name: 'TlsCertificateNameMismatch',
    short: 'The TLS certificate does not name the target',
    full: 'The certificate on a port marked tls has no subject alternative name (or, without them, common name) that matches the hostname target scanned.',
    help: 'Clients that connect by this name refuse the certificate. Serve a certificate whose names include it, or check whether another host now answers at the address (a DNS change, a load balancer default certificate).',
    severity: '6.0',
  },
  inconclusive: {
    name: 'Inconclusive',
    short: 'A target or port could not be decided',
    full: 'The scan ran out of time, the runner has no route for the address family, a required port was not scanned, or a required UDP port is open|filtered.',
    help: 'port-drift could not tell whether this matches the policy. Raise scan-timeout, scan IPv6 from a runner that has IPv6, or look at the detail of the result.',
    severity: '2.0',
  },
};

/** Where the rules and targets of a run were declared, when port-drift can tell. */
export interface DeclarationSources {
  /** The workflow file, relative to the repository root (from GITHUB_WORKFLOW_REF). */
  workflowPath?: string;
  /** Its text, when the repository is checked out: lets results point at the exact line. */
  workflowText?: string;
  /** The repository root (GITHUB_WORKSPACE): absolute policy file paths under it become relative. */
  workspace?: string;
  /** port-drift's own version, for tool.driver. */
  toolVersion: string;
}

/** `owner/repo/.github/workflows/scan.yml@refs/heads/main` -> `.github/workflows/scan.yml`. */
export function workflowPathFromRef(ref: string | undefined): string | undefined {
  const match = /^[^/]+\/[^/]+\/(.+?)@/.exec(ref ?? '');
  return match?.[1];
}

/** Literal `[`, `]` and `\` escaped, so that untrusted text cannot become a SARIF embedded link. */
export function sarifText(text: string, max = 300): string {
  return oneLine(text, max).replace(/[\\[\]]/g, (c) => `\\${c}`);
}

function fingerprint(name: string, f: Finding): string {
  const key = [name, f.kind, f.target, f.address, f.port ?? '', f.protocol ?? ''].join('\u0000');
  return createHash('sha256').update(key).digest('hex');
}

interface Place {
  uri: string;
  line: number;
}

/**
 * The line of each `expected` and `targets` value in a workflow, per step, from the YAML source:
 * a rule on line N of a block scalar sits N lines below its key.
 */
interface WorkflowValue {
  key: 'expected' | 'targets';
  /** The scalar's text. */
  text: string;
  /** 1-based line of the value's first line. */
  line: number;
  block: boolean;
}

function workflowValues(text: string): WorkflowValue[] {
  const lineCounter = new LineCounter();
  const out: WorkflowValue[] = [];
  try {
    const doc = parseDocument(text, { lineCounter });
    visit(doc, {
      Pair(_, pair) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        if ((key !== 'expected' && key !== 'targets') || !isScalar(pair.value)) return;
        const value = pair.value;
        const start = value.range?.[0];
        if (start === undefined) return;
        const block = value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED';
        out.push({
          key,
          text: String(value.value),
          line: lineCounter.linePos(start).line + (block ? 1 : 0),
          block,
        });
      },
    });
  } catch {
    return [];
  }
  return out;
}

/** Finds the declaring line: in a policy file (`policy.yml:12`), or in the workflow. */
class Locator {
  private readonly values: WorkflowValue[];

  constructor(private readonly sources: DeclarationSources) {
    this.values = sources.workflowText ? workflowValues(sources.workflowText) : [];
  }

  /** A rule: its own file and line, or its line in the `expected` input of the workflow. */
  rule(rule: Rule): Place | undefined {
    const inFile = /^(.+):(\d+)$/.exec(rule.source);
    if (inFile?.[1] && inFile[2]) {
      return { uri: this.relative(inFile[1]), line: Number(inFile[2]) };
    }
    const lineNo = Number(/ line (\d+)$/.exec(rule.source)?.[1] ?? 0);
    return this.inWorkflow('expected', rule.pattern, lineNo);
  }

  /** A target entry: the line of the `targets` input that names it. */
  target(spec: string): Place | undefined {
    return this.inWorkflow('targets', spec, 0);
  }

  /**
   * The workflow line of an input's line `lineNo` (1-based; 0 when unknown) that holds `needle`:
   * in the step whose value has it there, else wherever a value of that input has it, else the
   * first value of that input, else the top of the workflow.
   */
  private inWorkflow(key: WorkflowValue['key'], needle: string, lineNo: number): Place | undefined {
    const uri = this.sources.workflowPath;
    if (!uri) return undefined;
    const want = needle.toLowerCase();
    const candidates = this.values.filter((v) => v.key === key);
    const lines = (v: WorkflowValue): string[] => v.text.toLowerCase().split('\n');
    const at = (v: WorkflowValue, index: number): Place => ({
      uri,
      line: v.line + (v.block ? index : 0),
    });
    for (const v of candidates) {
      if (lineNo > 0 && lines(v)[lineNo - 1]?.includes(want)) return at(v, lineNo - 1);
    }
    for (const v of candidates) {
      const index = lines(v).findIndex((l) => l.includes(want));
      if (index >= 0) return at(v, index);
    }
    const first = candidates[0];
    return first ? at(first, 0) : { uri, line: 1 };
  }

  private relative(path: string): string {
    const root = this.sources.workspace;
    return root && isAbsolute(path) && !relative(root, path).startsWith('..')
      ? relative(root, path).split(sep).join('/')
      : path;
  }
}

/** The rule a finding is about: the one that requires its port, else any rule for its address. */
function ruleFor(f: Finding, rules: readonly Rule[], targets: readonly string[]): Rule | undefined {
  // Which rules apply does not depend on the time.
  const applied = expectationFor(rules, f.address, targets, 0).rules;
  if (f.port === undefined) return undefined;
  const requiring = applied.find((r) =>
    r.ports.some(
      (p) => !p.optional && p.protocol === f.protocol && p.from <= f.port! && f.port! <= p.to,
    ),
  );
  return requiring ?? applied[0];
}

function where(f: Finding): string {
  const at = f.address || f.target;
  const port = f.port === undefined ? '' : `:${f.port}/${f.protocol ?? 'tcp'}`;
  return f.address && f.target !== f.address ? `${at}${port} (${f.target})` : `${at}${port}`;
}

function messageFor(f: Finding): string {
  const service = describeService(f.service);
  const saw = service ? ` nmap saw: ${service}.` : '';
  switch (f.kind) {
    case 'unexpected-open': {
      const e = f.expiredException;
      const why = e
        ? `the exception that allowed it until ${e.until} has ended (${e.reason}; ${e.source})`
        : 'no rule allows it';
      return `${where(f)} is open, and ${why}.${saw} ${remedyFor(f)}`;
    }
    case 'missing':
      return `${where(f)} must be open, and is ${f.observed}.${saw} ${remedyFor(f)}`;
    case 'host-down':
      return `${where(f)} is down: ${f.detail ?? f.observed}.`;
    case 'service-changed':
      return `${where(f)} must run ${f.expected}, and answers as ${f.observed}.${saw} ${remedyFor(f)}`;
    case 'tls-expired':
    case 'tls-expiring':
    case 'tls-name-mismatch':
      return `${where(f)}: ${f.kind === 'tls-name-mismatch' ? `expected ${f.expected}, got one ${f.observed}` : `the certificate ${f.observed}`}${f.certificate ? ` (${certificateText(f.certificate)})` : ''}. ${remedyFor(f)}`;
    case 'inconclusive':
      return `${where(f)} could not be decided: ${f.detail ?? f.observed}.`;
  }
}

/** Code scanning rejects a run with more results than this (and shows the 5,000 most severe). */
const MAX_RESULTS = 25_000;

export function toSarif(report: Report, sources: DeclarationSources): Record<string, unknown> {
  const failOn = new Set<string>(report.settings.failOn);
  const targetsOf = new Map<string, string[]>(
    report.observed.map((o: ObservedAddress) => [o.address, o.targets]),
  );
  const locate = new Locator(sources);
  const all = report.findings.map((f) => sarifResult(f, report, failOn, targetsOf, locate));

  // Beyond the limit the whole file would be refused: keep the errors first, and say what is left out.
  const results =
    all.length <= MAX_RESULTS
      ? all
      : [
          ...all.filter((r) => r.level === 'error'),
          ...all.filter((r) => r.level !== 'error'),
        ].slice(0, MAX_RESULTS);
  const omitted = all.length - results.length;

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: sarifDriver(sources, failOn) },
        // One category per policy name, so two policies in one repository keep their own alerts.
        automationDetails: { id: `port-drift/${report.name}/` },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The repository root.' } } },
        invocations: [sarifInvocation(report, omitted, all.length)],
        results,
        properties: {
          verdict: report.verdict.message,
          scanned: report.scanned,
          ...(omitted > 0 ? { findingsNotShown: omitted } : {}),
        },
      },
    ],
  };
}

/** One finding as a SARIF result, placed at the rule that decided it or the target's line. */
function sarifResult(
  f: Finding,
  report: Report,
  failOn: ReadonlySet<string>,
  targetsOf: ReadonlyMap<string, string[]>,
  locate: Locator,
) {
  const targets = f.address ? (targetsOf.get(f.address) ?? [f.target]) : [f.target];
  const rule = ruleFor(f, report.settings.rules, targets);
  const place = (rule ? locate.rule(rule) : undefined) ?? locate.target(f.target);
  const logical = {
    name: where(f),
    fullyQualifiedName: `${report.name}/${where(f)}`,
    kind: 'resource',
  };
  return {
    ruleId: f.kind,
    ruleIndex: FINDING_KINDS.indexOf(f.kind),
    level: failOn.has(f.kind) ? 'error' : 'warning',
    message: { text: sarifText(messageFor(f), 1000) },
    locations: [
      {
        ...(place
          ? {
              physicalLocation: {
                artifactLocation: { uri: place.uri, uriBaseId: '%SRCROOT%' },
                region: { startLine: place.line },
              },
            }
          : {}),
        logicalLocations: [logical],
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(report.name, f) },
    properties: {
      target: f.target,
      address: f.address,
      ...(f.port === undefined ? {} : { port: f.port, protocol: f.protocol }),
      expected: f.expected,
      observed: f.observed,
      ...(f.service ? { service: describeService(f.service) } : {}),
      ...(rule ? { rule: rule.source } : {}),
    },
  };
}

/** port-drift as SARIF's tool, with a rule per finding kind. */
function sarifDriver(sources: DeclarationSources, failOn: ReadonlySet<string>) {
  return {
    name: 'port-drift',
    version: sources.toolVersion,
    semanticVersion: sources.toolVersion,
    rules: FINDING_KINDS.map((kind) => ({
      id: kind,
      name: RULES[kind].name,
      shortDescription: { text: RULES[kind].short },
      fullDescription: { text: RULES[kind].full },
      help: { text: RULES[kind].help, markdown: RULES[kind].help },
      defaultConfiguration: { level: failOn.has(kind) ? 'error' : 'warning' },
      properties: {
        tags: ['security', 'network', 'port-drift'],
        precision: 'high',
        'security-severity': RULES[kind].severity,
      },
    })),
  };
}

/** The run: when, whether nmap finished, and what the limit on results left out. */
function sarifInvocation(report: Report, omitted: number, total: number) {
  return {
    executionSuccessful: !report.scan.runs.some((r) => r.error),
    startTimeUtc: report.startedAt,
    endTimeUtc: report.finishedAt,
    ...(omitted > 0
      ? {
          toolExecutionNotifications: [
            {
              level: 'warning',
              message: {
                text: `${omitted} of ${total} findings are not in this file: code scanning takes at most ${MAX_RESULTS} results in a run. report.json has them all.`,
              },
            },
          ],
        }
      : {}),
  };
}
