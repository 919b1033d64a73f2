#!/usr/bin/env node
// `npm run bench`: port-drift against plain nmap on the same targets and ports, in one run, on a
// fleet of hosts in network namespaces (documentation addresses, no route out; needs root).
//
//   1. full TCP range on a fleet with one default-drop host: port-drift `ports: all` against
//      `nmap -sS -Pn -n -p-`: wall time, peak memory, and whether both found the same open ports;
//   2. 10% random packet loss (nft): port-drift N times; missed open ports and false drift;
//   3. the default port set: port-drift against `nmap -sS -Pn -n -p <the same list>`;
//   4. reading a 65,536-host nmap XML file: time and peak memory.
//
// Options: --runs N (loss runs, default 10), --plain-cap SECONDS (stop plain nmap after this long
// and report the ratio as an upper bound; default 1800), --only 1,2,3,4.
// Peak memory is the largest sum of resident memory of every process in the scanner namespace
// (node and its nmap children), sampled every 100 ms.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { createFleet } = await import(join(root, 'build/__tests__/helpers/fleet.js'));
const { parseNmapXml } = await import(join(root, 'build/src/nmap/parse.js'));

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    'plain-cap': { type: 'string', default: '1800' },
    only: { type: 'string', default: '1,2,3,4' },
  },
});
const only = new Set(opts.only.split(',').map(Number));
const work = mkdtempSync(join(tmpdir(), 'port-drift-bench-'));

/** Sums VmRSS of every process in a namespace, every 100 ms, keeping the largest sum. */
function memorySampler(ns) {
  let peak = 0;
  const timer = setInterval(() => {
    const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split(/\s+/);
    let sum = 0;
    for (const pid of pids.filter(Boolean)) {
      try {
        const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        sum += Number(kb ?? 0);
      } catch {
        /* gone */
      }
    }
    peak = Math.max(peak, sum);
  }, 100);
  return () => {
    clearInterval(timer);
    return peak / 1024;
  };
}

/** Runs argv in the namespace; resolves with wall time (s), peak memory (MiB) and output. */
function timed(ns, argv, { env = {}, capSeconds } = {}) {
  return new Promise((resolve) => {
    const stop = memorySampler(ns);
    const started = process.hrtime.bigint();
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    let capped = false;
    const cap = capSeconds
      ? setTimeout(() => {
          capped = true;
          child.kill('SIGINT');
        }, capSeconds * 1000)
      : undefined;
    child.on('close', (code) => {
      clearTimeout(cap);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ code, seconds, mib: stop(), out, capped });
    });
  });
}

let runNo = 0;
/** Runs the built action in the scanner namespace as the runner would. */
async function portDrift(fleet, inputs) {
  const dir = join(work, `run-${++runNo}`);
  const env = {
    GITHUB_OUTPUT: join(work, `out-${runNo}`),
    RUNNER_TEMP: work,
    'INPUT_REPORT-DIR': dir,
    'INPUT_PR-COMMENT': 'false',
  };
  writeFileSync(env.GITHUB_OUTPUT, '');
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const r = await timed(fleet.scannerNs, [process.execPath, join(root, 'dist/index.js')], { env });
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  const open = report.observed
    .flatMap((o) => o.ports.filter((p) => p.state === 'open').map((p) => `${o.address}:${p.port}`))
    .sort();
  return { ...r, report, open };
}

/** Plain nmap on the same targets and ports, as a user would run it. */
async function plainNmap(fleet, ports, targets, capSeconds) {
  const xml = join(work, `plain-${++runNo}.xml`);
  const r = await timed(
    fleet.scannerNs,
    // -n as port-drift does (it resolves names itself): the fleet has no DNS server, and nmap's
    // reverse lookups would only measure their own timeout.
    [
      'nmap',
      '-sS',
      '-Pn',
      '-n',
      ports === 'all' ? '-p-' : `-p${ports}`,
      '-oX',
      xml,
      '--',
      ...targets,
    ],
    { capSeconds },
  );
  let open = [];
  try {
    const run = parseNmapXml(readFileSync(xml, 'utf8'));
    open = run.hosts
      .flatMap((h) =>
        h.ports.filter((p) => p.state === 'open').map((p) => `${h.addresses[0].addr}:${p.port}`),
      )
      .sort();
  } catch {
    /* capped before any host was written */
  }
  return { ...r, open };
}

const fmt = (n, digits = 1) => n.toFixed(digits);
const line = (label, value) => console.log(`  ${label.padEnd(44)} ${value}`);
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const results = {};

const FLEET = [
  { name: 'web', ipv4: '203.0.113.80', tcp: [22, 80, 443] },
  { name: 'app', ipv4: '203.0.113.81', tcp: [22, 8080, 27017] },
  { name: 'wall', ipv4: '203.0.113.82', tcp: [22, 443, 6379], dropAll: true },
];
const TARGETS = FLEET.map((h) => h.ipv4);
// Everything that listens is allowed: these runs measure the scan, not the reporting of drift.
const ALLOW_ALL = '*: 22?, 80?, 443?, 8080?, 27017?';

try {
  if (only.has(1) || only.has(3)) {
    const fleet = await createFleet(FLEET);
    try {
      if (only.has(1)) {
        console.log('\n1. Full TCP range, one default-drop host (3 hosts, 65,535 ports each)');
        const pd = await portDrift(fleet, {
          targets: TARGETS.join(','),
          expected: ALLOW_ALL,
          ports: 'all',
        });
        const plain = await plainNmap(fleet, 'all', TARGETS, Number(opts['plain-cap']));
        line(
          'port-drift (ports: all)',
          `${fmt(pd.seconds)} s, ${fmt(pd.mib, 0)} MiB peak, exit ${pd.code}`,
        );
        line(
          'nmap -sS -Pn -n -p-',
          `${plain.capped ? '> ' : ''}${fmt(plain.seconds)} s${plain.capped ? ' (stopped at --plain-cap)' : ''}, ${fmt(plain.mib, 0)} MiB peak`,
        );
        line(
          'wall-time ratio port-drift / nmap',
          `${plain.capped ? '< ' : ''}${fmt(pd.seconds / plain.seconds, 3)}`,
        );
        line(
          'same open ports',
          plain.capped ? 'n/a (plain nmap stopped)' : String(same(pd.open, plain.open)),
        );
        line('open ports (port-drift)', pd.open.join(' '));
        if (!plain.capped) line('open ports (nmap)', plain.open.join(' '));
        results.fullRange = {
          portDrift: pd.seconds,
          nmap: plain.seconds,
          nmapCapped: plain.capped,
          ratio: pd.seconds / plain.seconds,
          sameOpen: same(pd.open, plain.open),
          portDriftMiB: pd.mib,
          nmapMiB: plain.mib,
        };
      }
      if (only.has(3)) {
        console.log('\n3. Default port set (top 1000 + exposed services + expected)');
        for (const [label, targets] of [
          ['with the default-drop host', TARGETS],
          ['responsive hosts only', TARGETS.slice(0, 2)],
        ]) {
          const pd = await portDrift(fleet, { targets: targets.join(','), expected: ALLOW_ALL });
          const list = pd.report.scan.ports
            .filter((r) => r.protocol === 'tcp')
            .map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`))
            .join(',');
          const plain = await plainNmap(fleet, list, targets, Number(opts['plain-cap']));
          line(`${label}: port-drift`, `${fmt(pd.seconds)} s, ${fmt(pd.mib, 0)} MiB peak`);
          line(
            `${label}: nmap -sS -Pn -n -p <list>`,
            `${fmt(plain.seconds)} s, ${fmt(plain.mib, 0)} MiB peak`,
          );
          line(`${label}: ratio`, fmt(pd.seconds / plain.seconds, 2));
          line(`${label}: same open ports`, String(same(pd.open, plain.open)));
          (results.defaultSet ??= []).push({
            label,
            portDrift: pd.seconds,
            nmap: plain.seconds,
            ratio: pd.seconds / plain.seconds,
            sameOpen: same(pd.open, plain.open),
          });
        }
      }
    } finally {
      await fleet.destroy();
    }
  }

  if (only.has(2)) {
    const runs = Number(opts.runs);
    console.log(`\n2. 10% random packet loss, full TCP range, ${runs} runs`);
    const open = [22, 80, 443, 3306, 6379, 8080, 9200, 27017];
    const fleet = await createFleet([
      { name: 'lossy1', ipv4: '203.0.113.90', tcp: open, lossPercent: 10 },
      { name: 'lossy2', ipv4: '203.0.113.91', tcp: [22, 443, 5432], lossPercent: 10 },
    ]);
    try {
      // 6379 and 27017 are drift on lossy1: each run must find exactly those two, nothing else.
      const expected = '203.0.113.90: 22, 80, 443, 3306, 8080, 9200\n203.0.113.91: 22, 443, 5432';
      const truth = ['203.0.113.90 6379', '203.0.113.90 27017'];
      let missed = 0;
      let falseDrift = 0;
      let flaps = 0;
      const times = [];
      for (let i = 0; i < runs; i++) {
        const r = await portDrift(fleet, {
          targets: '203.0.113.90,203.0.113.91',
          expected,
          ports: 'all',
        });
        const found = r.report.findings.map((f) => `${f.address} ${f.port}`);
        missed += truth.filter((t) => !found.includes(t)).length;
        falseDrift += found.filter((f) => !truth.includes(f)).length;
        flaps += r.report.flapping.length;
        times.push(r.seconds);
        console.log(
          `  run ${i + 1}: ${fmt(r.seconds)} s, findings [${found.join(', ')}], flapping ${r.report.flapping.length}`,
        );
      }
      line('missed open ports (of 2 x runs drifting)', String(missed));
      line('false drift (findings that are not real)', String(falseDrift));
      line('flaps caught by the re-check', String(flaps));
      line(
        'wall time per run (min / median / max)',
        times
          .sort((a, b) => a - b)
          .map((t, i, a) =>
            i === 0 || i === a.length - 1 || i === Math.floor(a.length / 2) ? fmt(t) : null,
          )
          .filter(Boolean)
          .join(' / ') + ' s',
      );
      results.loss = { runs, missed, falseDrift, flaps, times };
    } finally {
      await fleet.destroy();
    }
  }

  if (only.has(4)) {
    console.log('\n4. Reading a 65,536-host nmap XML file');
    const file = join(work, 'big.xml');
    const hosts = [];
    for (let i = 0; i < 65536; i++) {
      // The benchmarking range (RFC 2544): nothing here is scanned, only read.
      const addr = `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
      if (i % 10 === 0) {
        hosts.push(
          `<host starttime="1" endtime="2"><status state="up" reason="syn-ack" reason_ttl="64"/>\n<address addr="${addr}" addrtype="ipv4"/>\n<hostnames>\n</hostnames>\n<ports><extraports state="closed" count="997">\n<extrareasons reason="reset" count="997" proto="tcp" ports="1-21,23-79,81-442,444-1000"/>\n</extraports>\n<port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="ssh" product="OpenSSH" version="9.2p1" method="probed" conf="10"/></port>\n<port protocol="tcp" portid="80"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="http" method="table" conf="3"/></port>\n<port protocol="tcp" portid="443"><state state="filtered" reason="no-response" reason_ttl="0"/><service name="https" method="table" conf="3"/></port>\n</ports>\n<times srtt="100" rttvar="100" to="100000"/>\n</host>`,
        );
      } else {
        hosts.push(
          `<host><status state="down" reason="no-response" reason_ttl="0"/>\n<address addr="${addr}" addrtype="ipv4"/>\n</host>`,
        );
      }
    }
    writeFileSync(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n<nmaprun scanner="nmap" args="nmap -sS -Pn -v -p 1-1000 198.18.0.0/16" start="1" version="7.93" xmloutputversion="1.05">\n<scaninfo type="syn" protocol="tcp" numservices="1000" services="1-1000"/>\n${hosts.join('\n')}\n<runstats><finished time="2" elapsed="1.00" exit="success"/><hosts up="6554" down="58982" total="65536"/></runstats>\n</nmaprun>\n`,
    );
    const size = readFileSync(file).length;
    // A fresh process, so that its peak memory is the reader's alone.
    const probe = `import { readFileSync } from 'node:fs';
const { parseNmapXml } = await import(${JSON.stringify(join(root, 'build/src/nmap/parse.js'))});
const t = process.hrtime.bigint();
const run = parseNmapXml(readFileSync(${JSON.stringify(file)}, 'utf8'));
const s = Number(process.hrtime.bigint() - t) / 1e9;
console.log(JSON.stringify({ seconds: s, hosts: run.hosts.length, ports: run.hosts.reduce((n, h) => n + h.ports.length, 0), maxRssMiB: process.resourceUsage().maxRSS / 1024 }));`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
      encoding: 'utf8',
    });
    const r = JSON.parse(out.stdout);
    line('file', `${fmt(size / 1048576)} MiB, ${r.hosts} hosts, ${r.ports} ports read`);
    line('parse time', `${fmt(r.seconds, 2)} s`);
    line('peak memory of the reading process', `${fmt(r.maxRssMiB, 0)} MiB`);
    results.xml = { bytes: size, ...r };
  }
  console.log(`\n${JSON.stringify(results)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
