// Where the scan looked from, as the summary and the command line's text show it: per address
// family a route or not and from which of the runner's addresses; for a merge, per family which
// result file decided its addresses, and a family no vantage reached. Every value from a report
// file goes through `show` (code() in Markdown), as untrusted text.
import ipaddr from 'ipaddr.js';
import { plural } from '../base/markdown.js';
import type { FamilyVantage, Vantage } from '../base/types.js';
import type { Report } from './report.js';

type Show = (text: string) => string;

/** A source address with what the targets see of it. */
function sourceLabel(address: string, f: FamilyVantage, show: Show): string {
  if (f.public.includes(address)) return `${show(address)} (public)`;
  const range = ipaddr.isValid(address) ? ipaddr.parse(address).range() : '';
  return ['private', 'uniqueLocal', 'carrierGradeNat'].includes(range)
    ? `${show(address)} (private: the targets see a NAT's address, which port-drift does not look up)`
    : show(address);
}

/** `IPv4 from 198.51.100.2 (public)` or `IPv6: no route (it has no IPv6 address beyond link-local)`. */
export function familyLine(f: FamilyVantage, show: Show): string {
  const none = f.targets === 0 ? ' (no target of this family)' : '';
  if (!f.route) return `IPv${f.family}: no route (${show(f.why ?? 'unknown')})${none}`;
  const from = f.sources.map((a) => sourceLabel(a, f, show)).join(', ');
  return `IPv${f.family}: route${from ? `, from ${from}` : ''}${none}`;
}

/** The runner in words: `github-hosted runner GitHub Actions 2`, or '' when not known. */
export function runnerLabel(vantage: Vantage, show: Show): string {
  const r = vantage.runner;
  if (!r) return '';
  return [r.environment ? `${show(r.environment)} runner` : 'runner', r.name ? show(r.name) : '']
    .filter(Boolean)
    .join(' ');
}

/** The warning a hosted runner's vantage needs: an allowlist of GitHub's ranges lets it see more. */
export const ALLOWLIST_NOTE =
  "A firewall that allowlists GitHub Actions' address ranges (the `actions` list of GitHub's meta API) shows a GitHub-hosted runner more than the internet sees: a port open only to those ranges shows open here, and an expected port seen open here may still be closed to everyone else. Those ranges are shared by every GitHub user's workflows, so such a port is open to anyone who runs one. Scan from a vantage outside them to see what the rest of the internet sees.";

/** Lines for one run's vantage; the allowlist note when the runner is GitHub-hosted. */
export function vantageLines(vantage: Vantage, show: Show): string[] {
  const runner = runnerLabel(vantage, show);
  return [
    ...(runner ? [`From a ${runner}.`] : []),
    ...vantage.families.map((f) => familyLine(f, show)),
  ];
}

/** Per family of a merge: how many addresses, how many decided, and by which result files. */
export function familyRows(report: Report, show: Show): string[][] {
  return (report.merged?.families ?? []).map((f) => [
    `IPv${f.family}`,
    String(f.addresses),
    String(f.decided),
    f.by.length === 0
      ? 'none: no vantage reached it, so its addresses stay inconclusive'
      : f.by.map((b) => `${show(b.file)} (${b.addresses})`).join(', ') +
        (f.decided < f.addresses
          ? `; ${plural(f.addresses - f.decided, 'address', 'addresses')} no vantage decided`
          : ''),
  ]);
}

/** One line per result file of a merge: the file, its share or ip-version, and its vantage. */
export function mergedVantageLines(report: Report, show: Show): string[] {
  return (report.merged?.vantages ?? []).map((v) => {
    const what = [
      v.shard ? `shard ${v.shard.index}/${v.shard.count}` : '',
      v.ipVersion !== 'both' ? `ip-version ${v.ipVersion}` : '',
      v.vantage ? runnerLabel(v.vantage, show) : '',
    ].filter(Boolean);
    const families = v.vantage
      ? v.vantage.families.map((f) => familyLine(f, show)).join('; ')
      : 'vantage not recorded (nmap XML, or an earlier port-drift)';
    return `${show(v.file)}${what.length ? ` (${what.join(', ')})` : ''}: ${families}`;
  });
}

/** Did any vantage of this report run on a GitHub-hosted runner? */
export function hostedVantage(report: Report): boolean {
  const vantages = [
    ...(report.scan.vantage ? [report.scan.vantage] : []),
    ...(report.merged?.vantages ?? []).flatMap((v) => (v.vantage ? [v.vantage] : [])),
  ];
  return vantages.some((v) => v.runner?.environment === 'github-hosted');
}
