// The values that flow through port-drift, from the nmap XML it reads to the findings it reports.
// Only data lives here: no behaviour, no GitHub.

export type Protocol = 'tcp' | 'udp';

/** nmap's own words for a port's state: open, closed, filtered, unfiltered, open|filtered, closed|filtered. */
type PortState = string;

export interface Service {
  name?: string;
  product?: string;
  version?: string;
  extrainfo?: string;
  /** `probed` when version detection talked to it, `table` when nmap only guessed from the port number. */
  method?: string;
  tunnel?: string;
}

// ---------------------------------------------------------------------------
// What nmap wrote: a faithful, typed reading of one nmap XML file.

interface NmapAddress {
  addr: string;
  /** ipv4, ipv6 or mac. */
  addrtype: string;
}

interface NmapHostname {
  name: string;
  /** `user` for the name the user gave, `PTR` for reverse DNS. */
  type?: string;
}

export interface NmapPort {
  protocol: string;
  port: number;
  state: PortState;
  reason: string;
  service?: Service;
  scripts?: { id: string; output: string }[];
  /** The certificate nmap's `ssl-cert` script read, when it ran there. */
  certificate?: Certificate;
}

/**
 * A TLS certificate as nmap's `ssl-cert` script read it. Every text comes from the scanned host:
 * untrusted wherever it is shown. Dates are ISO 8601 in UTC; absent when nmap could not read them.
 */
export interface Certificate {
  /** The subject's fields, `CN=web.example.com, O=Example`. */
  subject: string;
  /** The DNS names the certificate is for: its subject alternative names, else its common name. */
  names: string[];
  issuer: string;
  notBefore?: string;
  notAfter?: string;
}

interface NmapExtraReason {
  reason: string;
  count: number;
  ports?: string;
}

export interface NmapExtraPorts {
  state: PortState;
  count: number;
  /** From `extrareasons proto`, or inferred from the scan's port counts for old nmap. */
  protocol?: string;
  reasons: NmapExtraReason[];
}

export interface NmapHost {
  addresses: NmapAddress[];
  hostnames: NmapHostname[];
  /** up, down, unknown, skipped. */
  status: string;
  reason: string;
  ports: NmapPort[];
  extraports: NmapExtraPorts[];
  /** nmap's round-trip estimate for the host, microseconds: smoothed RTT and the timeout it used. */
  times?: { srtt: number; to: number };
}

export interface NmapScanInfo {
  type: string;
  protocol: string;
  numservices: number;
  services: string;
}

export interface NmapTargetNote {
  specification: string;
  status: string;
  reason: string;
}

export interface NmapRun {
  version: string;
  args: string;
  scanInfo: NmapScanInfo[];
  hosts: NmapHost[];
  /** `<target status="skipped">`: names nmap could not resolve, and the like. */
  targets: NmapTargetNote[];
  /** False when the file ends before `</nmaprun>` (nmap killed or still running). */
  complete: boolean;
  finished?: {
    elapsed?: number;
    /** success or error. */
    exit?: string;
    errormsg?: string;
  };
  hostCounts?: { up: number; down: number; total: number };
}

// ---------------------------------------------------------------------------
// What the user declared.

type TargetKind = 'ipv4' | 'ipv6' | 'cidr4' | 'cidr6' | 'hostname';

export interface Target {
  /** The entry as the user wrote it. */
  spec: string;
  kind: TargetKind;
  /** How many addresses it stands for (1 for an address or a hostname). */
  size: number;
}

export interface PortRange {
  from: number;
  to: number;
  protocol: Protocol;
}

/**
 * A port accepted for a while: it may be open (never required) until `until`, and is drift again
 * after. `until` is as written: a date (the exception holds through that day, UTC) or an ISO 8601
 * time with its zone.
 */
export interface Exception {
  until: string;
  /** Who accepted it and why: a ticket, an owner. */
  reason: string;
}

/**
 * What must listen on a port: nmap's name for the service (`ssh`, `http`, `https`, `ssl/imap`) and
 * optionally words its product must contain (`nginx`, `OpenSSH`).
 */
export interface ServicePin {
  name: string;
  product?: string;
}

export interface PortRule extends PortRange {
  /** `?`: may be open, never drift. Always true for an exception. */
  optional: boolean;
  /** Allowed only until a date, with a reason. */
  exception?: Exception;
  /** When open, this service must answer there (version detection checks it). */
  service?: ServicePin;
  /** When open, its TLS certificate is checked: expired, expiring, or not for the target's name. */
  tls?: boolean;
}

export interface Rule {
  /** As written: a target, an IP, a CIDR or `*`. */
  pattern: string;
  /** Empty for `none`. */
  ports: PortRule[];
  /** Where the rule was declared, for messages and reports: `expected` line 3, or `policy.yml:12`. */
  source: string;
}

/** What the user asked to be checked behind the ports (inputs tls-check and tls-expiry). */
export interface BehindChecks {
  /** `marked`: the ports marked `tls`; `all`: every allowed open port found speaking TLS too. */
  tlsCheck: 'marked' | 'all';
  /** A certificate that ends within this many days is tls-expiring. */
  tlsExpiryDays: number;
}

// ---------------------------------------------------------------------------
// What port-drift observed, per scanned address.

/**
 * The longest `name`, in characters: it is repeated into every report, the title (`Port
 * drift: NAME`, where GitHub allows 256) and every Slack message.
 */
export const MAX_NAME = 100;

/** Every kind of finding, in the order reports, counts and SARIF rules list them. */
export const FINDING_KINDS = [
  'unexpected-open',
  'missing',
  'host-down',
  'service-changed',
  'tls-expired',
  'tls-expiring',
  'tls-name-mismatch',
  'inconclusive',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface ObservedPort {
  port: number;
  protocol: Protocol;
  state: PortState;
  reason: string;
  service?: Service;
  /** Read by nmap's `ssl-cert` script, on a port whose certificate is checked. */
  certificate?: Certificate;
}

export interface ObservedAddress {
  address: string;
  family: 4 | 6;
  /** Every target entry that named this address, in the order the user wrote them. */
  targets: string[];
  /** Names this address answered to: the hostname targets that resolved to it, and reverse DNS when known. */
  hostnames: string[];
  /**
   * up: something answered; down: nothing answered on any scanned port;
   * unresolved: a hostname target without any address; inconclusive: not scanned to the end.
   */
  status: 'up' | 'down' | 'unresolved' | 'inconclusive';
  reason: string;
  /** Ports in a state other than the host's dominant closed/filtered state; always every open port. */
  ports: ObservedPort[];
  /** Counts of the ports nmap folded away, by state. */
  extraports: { state: PortState; count: number; protocol: Protocol }[];
  /** Protocols whose scan stopped (the budget) before this address: their ports are unknown. */
  unscanned?: Protocol[];
  /** How many of its TCP ports answered, and how many stayed silent: set by a scan, not by XML read. */
  coverage?: Coverage;
  /** Set when the address answers open on every port probed, random high ports included. */
  everyPort?: { open: number; sampled: number };
}

/** Which TCP ports of an address answered, after every pass of the scan. */
export interface Coverage {
  /** TCP ports scanned. */
  ports: number;
  /** Ports that answered a probe (open, closed, or an ICMP error). */
  answered: number;
  /** Ports that never answered: a firewall that drops, or every probe or answer lost. */
  silent: number;
  /**
   * Of the silent ports, those probed too few times for the path's measured loss to rule out a
   * lost answer: neither open nor filtered for sure. 0 when the coverage is complete.
   */
  unanswered: number;
  /** How many times the most-probed silent ports were probed. */
  probes: number;
  /** Why the rest is unanswered, when it is: the budget, a cancelled run. */
  why?: string;
}

export interface Finding {
  kind: FindingKind;
  target: string;
  address: string;
  port?: number;
  protocol?: Protocol;
  expected: string;
  observed: string;
  service?: Service;
  /** Why, in a sentence, for inconclusive and host-down findings. */
  detail?: string;
  /** unexpected-open on a port an exception accepted until a time now past: that exception. */
  expiredException?: Exception & { source: string };
  /** The tls-* kinds: the certificate served on the port. */
  certificate?: Certificate;
}

/** An open port that is not drift only because an exception accepts it, until its date. */
export interface Accepted {
  target: string;
  address: string;
  port: number;
  protocol: Protocol;
  until: string;
  reason: string;
  /** Where the exception is declared: `expected line 3`, `policy.yml:12`. */
  source: string;
  service?: Service;
  /**
   * What the exception accepts behind the port besides its being open: a changed service, a
   * certificate that expired, ends soon or is for other names.
   */
  findings?: { kind: FindingKind; observed: string }[];
}

/** How many addresses and ports a run scanned (the `scanned` output). */
export interface Scanned {
  addresses: number;
  tcpPorts: number;
  udpPorts: number;
}

/** One nmap run of a scan, or one XML file read: report.json's `scan.runs`. */
export interface RunEntry {
  /** The pass (sweep, rescue, recheck, identify...); absent for XML files read. */
  phase?: string;
  /** nmap's argv, or the XML file read. */
  args?: string[];
  xml: string;
  error?: string;
}

// ---------------------------------------------------------------------------
// Where a scan looked from.

/** One address family as the runner saw it before the scan: report.json's `scan.vantage.families`. */
export interface FamilyVantage {
  family: 4 | 6;
  /**
   * The runner could reach addresses of this family: it has an address of the family beyond
   * link-local and loopback, and the kernel had a route to at least one target of the family
   * (with no target of the family, the address alone decides).
   */
  route: boolean;
  /** Why not, when there is no route (`it has no IPv6 address beyond link-local`, `ENETUNREACH`). */
  why?: string;
  /** How many of the targets' addresses and blocks of this family were asked about. */
  targets: number;
  /** The runner's own addresses the kernel chose as source toward those targets. */
  sources: string[];
  /**
   * Those sources that are public (global unicast): what a target sees, unless a NAT on the way
   * changes it. Empty when the runner sits behind NAT (a private source): its public address is
   * not known, since port-drift never asks an outside service.
   */
  public: string[];
}

/** Where a scan looked from: report.json's `scan.vantage`. */
export interface Vantage {
  families: FamilyVantage[];
  /** The runner as GitHub names it (RUNNER_NAME, RUNNER_ENVIRONMENT), when run by Actions. */
  runner?: { name?: string; environment?: string };
}
