// Small nmap XML files, as nmap writes them, for tests that bring their own scan (`xml` input) and
// so need no nmap and no fleet.
import { writeFileSync } from 'node:fs';

export interface XmlHost {
  address: string;
  /** Port -> service nmap saw (or just the name). Every other scanned port is closed. */
  open: Record<number, string | { name: string; product?: string; version?: string }>;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function nmapXml(ports: readonly number[], hosts: readonly XmlHost[]): string {
  const list = [...ports].sort((a, b) => a - b);
  const hostXml = hosts.map((h) => {
    const rows = list.map((p) => {
      const s = h.open[p];
      if (s === undefined) {
        return `<port protocol="tcp" portid="${p}"><state state="closed" reason="reset" reason_ttl="64"/></port>`;
      }
      const svc = typeof s === 'string' ? { name: s } : s;
      const attrs = Object.entries(svc)
        .map(([k, v]) => `${k}="${esc(String(v))}"`)
        .join(' ');
      return `<port protocol="tcp" portid="${p}"><state state="open" reason="syn-ack" reason_ttl="64"/><service ${attrs} method="probed" conf="10"/></port>`;
    });
    return [
      '<host starttime="1795769654" endtime="1795769701"><status state="up" reason="syn-ack" reason_ttl="64"/>',
      `<address addr="${h.address}" addrtype="ipv4"/>`,
      '<hostnames>\n</hostnames>',
      `<ports>${rows.join('\n')}</ports>`,
      '</host>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE nmaprun>',
    `<nmaprun scanner="nmap" args="nmap -sS -Pn -n -p ${list.join(',')}" start="1795769652" version="7.93" xmloutputversion="1.05">`,
    `<scaninfo type="syn" protocol="tcp" numservices="${list.length}" services="${list.join(',')}"/>`,
    ...hostXml,
    `<runstats><finished time="1795769701" elapsed="2.00" exit="success"/><hosts up="${hosts.length}" down="0" total="${hosts.length}"/></runstats>`,
    '</nmaprun>',
    '',
  ].join('\n');
}

export function writeNmapXml(
  path: string,
  ports: readonly number[],
  hosts: readonly XmlHost[],
): string {
  writeFileSync(path, nmapXml(ports, hosts));
  return path;
}
