// Bring your own scan: reads nmap XML files named by the `xml` glob instead of scanning, and gives
// the same observed state a scan would.
import { ConfigurationError, getErrorMessage } from '../base/errors.js';
import { globUserFiles, readGlobbedFile } from '../base/user-files.js';
import { parseNmapXml } from '../nmap/parse.js';
import { hostAddress, observeHost } from './observe.js';
import { countPorts, coalesceRanges, parseNmapPortList } from '../settings/ports.js';
import type { ScanOutcome } from './index.js';
import type { Settings } from '../settings/settings.js';
import {
  canonicalIp,
  familyOf,
  runnerRange,
  scannerNameReason,
  targetsNaming,
} from '../settings/targets.js';
import type { NmapHost, NmapRun, ObservedAddress, PortRange } from '../base/types.js';

export async function readXmlScan(settings: Settings): Promise<ScanOutcome> {
  const runs = await readRuns(settings.xml);
  const resolved = namesInFiles(runs, settings);
  const observed: ObservedAddress[] = [];
  const seen = new Set<string>();
  const scannedPorts: PortRange[] = [];
  for (const { run } of runs) {
    for (const info of run.scanInfo) {
      if (info.protocol === 'tcp' || info.protocol === 'udp') {
        scannedPorts.push(...parseNmapPortList(info.services, info.protocol));
      }
    }
    for (const host of run.hosts) {
      const address = hostAddress(host);
      if (!address || seen.has(address)) continue;
      seen.add(address);
      observed.push(...fileHost(host, address, settings, resolved));
    }
  }
  // A declared target that no file covers could not be decided from these files.
  for (const target of settings.targets) {
    if (observed.some((o) => o.targets.includes(target.spec))) continue;
    const address = target.kind === 'hostname' ? '' : target.spec;
    observed.push(notJudged(address, target.spec, 'not in any of the nmap XML files'));
  }
  const merged = coalesceRanges(scannedPorts);
  const tcp = merged.filter((r) => r.protocol === 'tcp');
  const udp = merged.filter((r) => r.protocol === 'udp');
  return {
    plan: null,
    observed,
    scannedPorts: merged,
    flapping: [],
    scanned: { addresses: seen.size, tcpPorts: countPorts(tcp), udpPorts: countPorts(udp) },
    source: 'xml',
    runs: runs.map(({ file, run }) => ({
      xml: file,
      args: [run.args],
      ...(run.complete ? {} : { error: `${file} ends before </nmaprun>: nmap did not finish` }),
    })),
  };
}

/** Every file the `xml` glob names, read as nmap XML, in path order. */
async function readRuns(pattern: string): Promise<{ file: string; run: NmapRun }[]> {
  const files = await globUserFiles('xml', pattern);
  if (files.length === 0) {
    throw new ConfigurationError('xml', `'${pattern}' matches no file. Check the path or glob.`);
  }
  const runs: { file: string; run: NmapRun }[] = [];
  for (const file of files) {
    // A link, FIFO, socket or device the glob matched is refused, never followed or waited on.
    const text = await readGlobbedFile('xml', file);
    try {
      runs.push({ file, run: parseNmapXml(text, file) });
    } catch (error) {
      throw new ConfigurationError('xml', getErrorMessage(error));
    }
  }
  return runs;
}

/** An entry the files cannot decide, and why. */
function notJudged(address: string, target: string, reason: string): ObservedAddress {
  return {
    address,
    family: familyOf(address),
    targets: [target],
    hostnames: [],
    status: 'inconclusive',
    reason,
    ports: [],
    extraports: [],
  };
}

/**
 * Names in the files, for matching hostname targets: the name a user gave nmap
 * (`<hostname type="user">`) and reverse DNS (`PTR`; nmap 4.x wrote only that), any case.
 */
function namesInFiles(
  runs: readonly { run: NmapRun }[],
  settings: Settings,
): Map<string, string[]> {
  const resolved = new Map<string, string[]>();
  for (const { run } of runs) {
    for (const host of run.hosts) {
      const ip = host.addresses.find((a) => a.addrtype !== 'mac');
      if (!ip) continue;
      for (const { name } of host.hostnames) {
        const spec = settings.targets.find(
          (t) => t.spec.toLowerCase() === name.toLowerCase(),
        )?.spec;
        if (spec) resolved.set(spec, [...(resolved.get(spec) ?? []), canonicalIp(ip.addr)]);
      }
    }
  }
  return resolved;
}

/**
 * What one host of the files is, under the targets that name it. Without targets, a host is filed
 * under the name nmap was given, else its address: never under reverse DNS (PTR), which the
 * address's owner writes and the user never chose. A name that nmap found at its own machine's
 * address (a parked domain, split-horizon DNS) was a scan of that machine, not of a host of the
 * fleet: not judged, and said so.
 */
function fileHost(
  host: NmapHost,
  address: string,
  settings: Settings,
  resolved: ReadonlyMap<string, string[]>,
): ObservedAddress[] {
  const userName = host.hostnames.find((h) => h.type === 'user')?.name;
  const targets =
    settings.targets.length > 0
      ? targetsNaming(settings.targets, address, resolved)
      : [userName ?? address];
  const range = runnerRange(address);
  if (!range)
    return targets.length ? [observeHost(host, address, targets, userName ? [userName] : [])] : [];
  const isName = (t: string): boolean =>
    t === userName || settings.targets.some((x) => x.spec === t && x.kind === 'hostname');
  const names = targets.filter(isName);
  const judged = targets.filter((t) => !isName(t));
  return [
    ...names.map((name) => notJudged(address, name, scannerNameReason(name, address, range))),
    ...(judged.length ? [observeHost(host, address, judged, [])] : []),
  ];
}
