#!/usr/bin/env node
// `npm run bench`: port-drift (the built action, dist/) against plain nmap on the same targets, on
// the LAN and across an internet-like path, in one run. Needs root: every network is made of
// network namespaces on documentation addresses, with no route out; nothing else is ever sent to.
//
// Networks (__tests__/helpers/fleet.ts, __tests__/helpers/netpath.ts), each with the same targets:
//   rst   203.0.113.20  answers closed ports with RST; open 22, 80, 443, 8080 (expected) and 27017
//                       (not in the policy: the one true drift of a port)
//   wall  203.0.113.21  default-drop firewall; open 22 and 443 (expected)
//   dead  203.0.113.250 nothing there: silent (on the path a blackhole route, no ICMP)
// Scenarios: the LAN (one bridge); the path at 40 ms RTT with a 20,000 packets/s policer each way;
// the same with 2% random loss each way; the path at 40 ms RTT with a 5,000 packets/s policer.
//
// For each scenario: port-drift `ports: all` --runs times (default 5); plain `nmap -sS -Pn -n -p-`
// and `nmap -sS -Pn -n -p- --min-rate 5000` once each on the same targets. Printed: wall time;
// the path's floor (probes / packets per second the policer lets through: each of 3 x 65,535
// probes sent once at the policed rate); the ratio to the floor and to both nmap runs; missed open
// ports (ground truth: the listeners, whether or not the policy lists them); false drift (a
// finding the truth does not bear out); missed drift; inconclusive findings; runs that crashed;
// peak memory (the largest sum of resident memory of every process in the scanner namespace,
// node and its nmap children, sampled every 100 ms); what the path did to port-drift's probes.
// Then: the default port set across 40 ms (port-drift against nmap on the same port list; then the
// same with 27017 allowed, so that nothing needs version detection); a host
// that answers on every port; reading a 65,536-host nmap XML file; and a check that the path's
// forwarder is not the bottleneck.
//
// The plain nmap baselines of the four scenarios run side by side (each on its own network and
// policer: they are slow); --serial runs them one at a time. Everything port-drift does runs alone.
//
// Options: --runs N (port-drift runs per scenario, default 5); --plain-cap S (stop a plain nmap
// after S seconds and show its time as a lower bound, default 300); --run-cap S (stop a
// port-drift run after S seconds, default 600); --every-cap S (the same for the every-port run,
// default 300); --only a,b (sections: lan, p20k, loss, p5k, default, blocks, busy, every, xml,
// check, install); --serial. The forwarder check and the every-port run use the 20k pps path.
//
// install: nmap ready on a runner that lacks it, on this machine seen without nmap (a private
// mount namespace, __tests__/helpers/no-nmap.ts: nothing outside it changes): `apt-get install`
// as a workflow step runs it, with and without `apt-get update` first, downloading the packages;
// then port-drift on a cache miss (apt-get, then its packages kept in the loopback stand-in of the
// Actions cache service, through the real client) and on --runs cache hits (restored, verified
// against the apt index, installed with dpkg; apt-get must not run). The seconds are those each
// run logs for the install.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { createFleet } = await import(join(root, 'build/__tests__/helpers/fleet.js'));
const { canBuildFleets } = await import(join(root, 'build/__tests__/helpers/netns.js'));
const { createPath } = await import(join(root, 'build/__tests__/helpers/netpath.js'));
const { withoutNmap } = await import(join(root, 'build/__tests__/helpers/no-nmap.js'));
const { startCacheServer } = await import(join(root, 'build/__tests__/helpers/cache-server.js'));
const { runAction } = await import(join(root, 'build/__tests__/helpers/action.js'));

const ALL = [
  'lan',
  'p20k',
  'loss',
  'p5k',
  'default',
  'blocks',
  'busy',
  'every',
  'xml',
  'check',
  'install',
];
const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'plain-cap': { type: 'string', default: '300' },
    'run-cap': { type: 'string', default: '600' },
    'every-cap': { type: 'string', default: '300' },
    only: { type: 'string', default: ALL.join(',') },
    serial: { type: 'boolean', default: false },
  },
});
const only = new Set(opts.only.split(','));
for (const o of only) if (!ALL.includes(o)) throw new Error(`--only: unknown section ${o}`);
const RUNS = Number(opts.runs);
const PLAIN_CAP = Number(opts['plain-cap']);
const RUN_CAP = Number(opts['run-cap']);
if (canBuildFleets !== true) {
  console.error(`npm run bench: ${canBuildFleets}`);
  process.exit(1);
}
const work = mkdtempSync(join(tmpdir(), 'port-drift-bench-'));
const benchStarted = Date.now();

// ---------------------------------------------------------------------------------------------
// The targets and what is true of them

const RST = '203.0.113.20';
const WALL = '203.0.113.21';
const DEAD = '203.0.113.250'; // fleet.ts's unused address; blackholed on the path
const PROXY = '203.0.113.22';
const HOSTS = [
  // 22 and 80 answer as an SSH daemon and a web server would: the pinned run's version detection
  // has real services to name (a SYN scan never reads them).
  {
    name: 'rst',
    ipv4: RST,
    tcp: [
      { port: 22, banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n' },
      { port: 80, http: 'nginx/1.25.3' },
      443,
      8080,
      27017,
    ],
  },
  {
    name: 'wall',
    ipv4: WALL,
    tcp: [22, 443],
    dropAll: true,
    nft: ['tcp dport { 22, 443 } accept'],
  },
];
const PROXY_HOST = { name: 'proxy', ipv4: PROXY, tcp: [8000], everyPort: true };
const TARGETS = [RST, WALL, DEAD];
const EXPECTED = `${RST}: 22, 80, 443, 8080\n${WALL}: 22, 443`;
/** Ground truth: the listeners a scanner can reach. */
const TRUE_OPEN = [
  ...[22, 80, 443, 8080, 27017].map((p) => `${RST}:${p}`),
  ...[22, 443].map((p) => `${WALL}:${p}`),
];
/** The drift a correct run reports: the unlisted open port, and the dead address (named alone). */
const TRUE_DRIFT = [`unexpected-open ${RST}:27017`, `host-down ${DEAD}`];
const PROBES = TARGETS.length * 65535;

const SCENARIOS = [
  { key: 'lan', label: 'LAN, one bridge' },
  { key: 'p20k', label: '40 ms RTT, 20k pps policer', path: { rttMs: 40, pps: 20000 } },
  {
    key: 'loss',
    label: '40 ms, 20k pps, 2% loss/way',
    path: { rttMs: 40, pps: 20000, lossPercent: 2 },
  },
  { key: 'p5k', label: '40 ms RTT, 5k pps policer', path: { rttMs: 40, pps: 5000 } },
].filter(
  (s) =>
    only.has(s.key) ||
    (s.key === 'p20k' && (only.has('default') || only.has('every') || only.has('check'))),
);

// ---------------------------------------------------------------------------------------------
// Running things

/** Sums VmRSS of every process in a namespace, every 100 ms, keeping the largest sum (MiB). */
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
    const keep = (b) => {
      out = (out + b).slice(-200_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let capped = false;
    const cap = capSeconds
      ? setTimeout(() => {
          capped = true;
          child.kill('SIGINT');
          setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
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
/** Runs the built action in the scanner namespace as a runner would; reads its report.json. */
async function portDrift(net, inputs, capSeconds = RUN_CAP) {
  const n = ++runNo;
  const dir = join(work, `run-${n}`);
  const env = {
    GITHUB_OUTPUT: join(work, `out-${n}`),
    GITHUB_STEP_SUMMARY: join(work, `summary-${n}`),
    RUNNER_TEMP: work,
    'INPUT_REPORT-DIR': dir,
    'INPUT_PR-COMMENT': 'false',
  };
  writeFileSync(env.GITHUB_OUTPUT, '');
  writeFileSync(env.GITHUB_STEP_SUMMARY, '');
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const r = await timed(net.scannerNs, [process.execPath, join(root, 'dist/index.js')], {
    env,
    capSeconds,
  });
  let report;
  try {
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  } catch {
    report = undefined;
  }
  const open = (report?.observed ?? [])
    .flatMap((o) => o.ports.filter((p) => p.state === 'open').map((p) => `${o.address}:${p.port}`))
    .sort();
  const why = r.capped
    ? `stopped after ${capSeconds} s`
    : report
      ? undefined
      : (/port-drift failed:.*|::error::.*/.exec(r.out)?.[0] ?? `exit ${r.code}, no report.json`);
  rmSync(dir, { recursive: true, force: true });
  return { ...r, report, open, why };
}

/** Open ports in an nmap XML file, as `address:port` (a reader of its own: no engine code). */
function openPortsOfXml(file) {
  let xml;
  try {
    xml = readFileSync(file, 'utf8');
  } catch {
    return []; // stopped before nmap wrote anything
  }
  const open = [];
  for (const host of xml.split('<host ').slice(1)) {
    const addr = /<address addr="([^"]+)" addrtype="ipv[46]"/.exec(host)?.[1];
    for (const m of host.matchAll(/<port protocol="tcp" portid="(\d+)"><state state="open"/g))
      open.push(`${addr}:${m[1]}`);
  }
  return open.sort();
}

/** Plain nmap on the same targets and ports, as a user would run it (-n as port-drift does). */
async function plainNmap(net, ports, targets, extra = [], noPing = true) {
  const xml = join(work, `plain-${++runNo}.xml`);
  const r = await timed(
    net.scannerNs,
    [
      'nmap',
      '-sS',
      ...(noPing ? ['-Pn'] : []),
      '-n',
      ...extra,
      ports === 'all' ? '-p-' : `-p${ports}`,
      '-oX',
      xml,
      '--',
      ...targets,
    ],
    { capSeconds: PLAIN_CAP },
  );
  return { ...r, open: openPortsOfXml(xml) };
}

// ---------------------------------------------------------------------------------------------
// Judging a run against the truth

function judge(run) {
  if (!run.report) {
    return {
      missedOpen: TRUE_OPEN.length,
      falseDrift: 0,
      missedDrift: TRUE_DRIFT.length,
      inconclusive: 0,
      crashed: 1,
    };
  }
  const found = run.report.findings
    .filter((f) => f.kind !== 'inconclusive')
    .map((f) => `${f.kind} ${f.address}${f.port === undefined ? '' : `:${f.port}`}`);
  return {
    missedOpen: TRUE_OPEN.filter((p) => !run.open.includes(p)).length,
    falseDrift: found.filter((f) => !TRUE_DRIFT.includes(f)).length,
    missedDrift: TRUE_DRIFT.filter((f) => !found.includes(f)).length,
    inconclusive: run.report.findings.filter((f) => f.kind === 'inconclusive').length,
    crashed: 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Address blocks with empty addresses, across the internet-like path

/** Seven hosts in 203.0.113.0/24, three of them in the /26; .20 is default-drop with only MongoDB
 *  open: plain nmap's host discovery (echo, SYN 443, ACK 80, timestamp) never sees it. */
const BLOCK_HOSTS = [
  { name: 'web', ipv4: '203.0.113.10', tcp: [22, 80, 443] },
  { name: 'mongo', ipv4: '203.0.113.20', tcp: [27017], dropAll: true, nft: ['tcp dport 27017 accept'] }, // prettier-ignore
  { name: 'bastion', ipv4: '203.0.113.30', tcp: [22], dropAll: true, nft: ['tcp dport 22 accept'] },
  { name: 'app1', ipv4: '203.0.113.70', tcp: [80, 443, 8080] },
  { name: 'app2', ipv4: '203.0.113.90', tcp: [443], dropAll: true, nft: ['tcp dport 443 accept'] },
  { name: 'mail', ipv4: '203.0.113.130', tcp: [22, 25] },
  { name: 'ci', ipv4: '203.0.113.200', tcp: [22, 8080] },
];
const BLOCK_POLICY = '*: 22?, 25?, 80?, 443?, 8080?';
const MONGO = '203.0.113.20';

function blockTruth(block) {
  const inside = (a) =>
    block.endsWith('/24') || Number(a.split('.')[3]) < 2 ** (32 - Number(block.split('/')[1]));
  return BLOCK_HOSTS.filter((h) => inside(h.ipv4)).flatMap((h) =>
    h.tcp.map((p) => `${h.ipv4}:${p}`),
  );
}

async function blocks() {
  const runsEach = Math.min(RUNS, 3);
  const net = await createPath({ rttMs: 40, pps: 20000, hosts: BLOCK_HOSTS, emptySilent: true });
  nets.set('blocks', net);
  results.blocks = {};
  say(
    `\nAddress blocks across 40 ms RTT, 20k pps policer, empty addresses silent; default port set; ${runsEach} runs each`,
  );
  for (const block of ['203.0.113.0/26', '203.0.113.0/24']) {
    const truth = blockTruth(block);
    const row = {};
    for (const [variant, expected] of [
      ['nothing to identify', `${BLOCK_POLICY}\n${MONGO}: 27017`],
      [`${MONGO}:27017 drifts`, BLOCK_POLICY],
    ]) {
      const times = [];
      let missed = 0;
      let falseDrift = 0;
      let list;
      for (let i = 0; i < runsEach; i++) {
        const r = await portDrift(net, { targets: block, expected });
        times.push(r.seconds);
        const m = truth.filter((p) => !r.open.includes(p));
        missed += m.length;
        const drift = (r.report?.findings ?? []).filter((f) => f.kind !== 'inconclusive');
        const wanted = variant === 'nothing to identify' ? [] : [`unexpected-open ${MONGO}:27017`];
        const found = drift.map((f) => `${f.kind} ${f.address}${f.port ? `:${f.port}` : ''}`);
        falseDrift += found.filter((f) => !wanted.includes(f)).length;
        list ??= r.report?.scan?.ports
          ?.filter((p) => p.protocol === 'tcp')
          .map((p) => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`))
          .join(',');
        say(
          `  ${block} ${variant}, run ${i + 1}: ${fmt(r.seconds)} s; ${r.report ? `findings [${brief(r.report.findings)}]` : `CRASHED: ${r.why}`}${m.length ? `; MISSED ${m.join(' ')}` : ''}; pace ${r.report?.scan?.pace?.reason ?? '-'}`,
        );
      }
      row[variant] = { seconds: times, median: median(times), missed, falseDrift };
      if (list && !row.plain) {
        const plain = await plainNmap(net, list, [block], [], false);
        const miss = truth.filter((p) => !plain.open.includes(p));
        say(
          `  plain nmap -sS -n -p <the same ports> ${block} (host discovery on): ${secs(plain)} s; missed ${miss.join(' ') || 'none'}`,
        );
        row.plain = { seconds: plain.seconds, missed: miss };
      }
    }
    for (const v of Object.keys(row).filter((k) => k !== 'plain')) {
      row[v].ratio = row.plain ? row[v].median / row.plain.seconds : undefined;
      say(
        `  ${block} ${v}: median ${fmt(row[v].median)} s, x plain nmap ${fmt(row[v].ratio, 2)}; missed ${row[v].missed}, false drift ${row[v].falseDrift}`,
      );
    }
    results.blocks[block] = row;
  }
}

// ---------------------------------------------------------------------------------------------
// A busy runner: the LAN fleet, full range, with the CPU and the kernel kept busy by other work

/** Starts the load: two CPU-bound processes, and another scanner's traffic through the same kernel
 *  (nmap at 20,000 packets/s, over and over, in a fleet of its own). Returns a function that stops it. */
async function startLoad() {
  const children = [];
  for (let i = 0; i < 2; i++)
    children.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  const other = await createFleet([{ name: 'other', ipv4: '203.0.113.40', tcp: [80] }]);
  let running = true;
  const loop = (async () => {
    while (running) {
      await new Promise((resolve) => {
        const c = spawn(
          'ip',
          ['netns', 'exec', other.scannerNs, 'nmap', '-sS', '-Pn', '-n', '-p-', '--max-retries', '0', '--min-rate', '20000', '--max-rate', '20000', '--', '203.0.113.40'], // prettier-ignore
          { stdio: 'ignore' },
        );
        children.push(c);
        c.on('close', resolve);
      });
    }
  })();
  await new Promise((r) => setTimeout(r, 2000)); // the load is up before anything is timed
  return async () => {
    running = false;
    for (const c of children) c.kill('SIGKILL');
    await loop;
    await other.destroy();
  };
}

async function busy() {
  const runsEach = Math.min(RUNS, 3);
  const net = nets.get('lan') ?? (await createFleet(HOSTS));
  nets.set('lan', net);
  say(
    `\nA busy runner: LAN, full range, 2 CPU-bound processes and another nmap at 20,000/s; ${runsEach} runs`,
  );
  const stop = await startLoad();
  try {
    const runs = [];
    for (let i = 0; i < runsEach; i++) {
      const r = await portDrift(net, {
        targets: TARGETS.join(','),
        expected: EXPECTED,
        ports: 'all',
      });
      const j = judge(r);
      const reason = r.report?.scan?.pace?.reason ?? '-';
      const claimed = /rate limit on the path/.test(reason);
      runs.push({ seconds: r.seconds, ...j, claimed });
      say(
        `  run ${i + 1}: ${fmt(r.seconds)} s; ${r.report ? `findings [${brief(r.report.findings)}]` : `CRASHED: ${r.why}`}; pace: ${reason}; load ${load()}`,
      );
    }
    const plain = await plainNmap(net, 'all', TARGETS);
    const t = median(runs.map((r) => r.seconds));
    const sum = (k) => runs.reduce((n, r) => n + Number(r[k]), 0);
    say(
      `  plain nmap -sS -Pn -n -p- under the same load: ${secs(plain)} s; port-drift median ${fmt(t)} s, x plain ${ratio(t, plain)}; missed ${sum('missedOpen')}, false drift ${sum('falseDrift')}, path rate limit claimed in ${sum('claimed')} of ${runs.length} runs`,
    );
    results.busy = {
      seconds: runs.map((r) => r.seconds),
      median: t,
      plain: plain.seconds,
      plainCapped: plain.capped,
      ratio: t / plain.seconds,
      missedOpen: sum('missedOpen'),
      falseDrift: sum('falseDrift'),
      claimedPathLimit: sum('claimed'),
    };
  } finally {
    await stop();
  }
}

// ---------------------------------------------------------------------------------------------
// nmap ready on a runner without it: from the Actions cache against apt-get

/**
 * Runs `commands` (sh) where this machine has no nmap, --runs times at most 3, each from the same
 * state; the median of their own timing in seconds, and what apt said it downloaded.
 */
async function aptGetSeconds(system, commands) {
  const script = `set -e; a=$(date +%s%N); out=$( (${commands}) 2>&1); b=$(date +%s%N)
echo "$out" | grep -E '^(Need to get|Fetched)' | tail -1; echo $(( (b - a) / 1000000 ))`;
  const seconds = [];
  let fetched = '';
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const r = await system.exec(['sh', '-c', script], {
      env: { DEBIAN_FRONTEND: 'noninteractive' },
      timeoutMs: 600_000,
    });
    if (r.code !== 0) return { why: r.stderr.trim().split('\n').slice(-2).join(' ') };
    const lines = r.stdout.trim().split('\n');
    seconds.push(Number(lines.at(-1)) / 1000);
    fetched = lines.length > 1 ? lines[0] : fetched;
  }
  return { seconds: median(seconds), all: seconds, fetched };
}

const aptLine = (r) =>
  r.seconds === undefined
    ? `failed: ${r.why}`
    : `${r.all.map((x) => fmt(x)).join(', ')} s (median ${fmt(r.seconds)}; ${r.fetched || 'nothing fetched'})`;

async function installBench() {
  say(
    '\nnmap ready on a runner without it (this machine without nmap, apt downloading its packages)',
  );
  const system = await withoutNmap({ emptyArchives: true });
  const server = await startCacheServer();
  const listener = createServer((s) => s.on('error', () => {}).end());
  await new Promise((r) => listener.listen(0, '127.0.0.1', r));
  const port = listener.address().port;
  const runnerTemp = join(work, 'install-runner-temp');
  mkdirSync(runnerTemp, { recursive: true });
  try {
    say(`  (packages removed for it: ${system.removed.join(', ')}; load ${load()})`);
    const install = 'apt-get install -y -q --no-install-recommends nmap';
    const plain = await aptGetSeconds(system, install);
    say(`  ${install}: ${aptLine(plain)}`);
    const updated = await aptGetSeconds(system, `apt-get update -q && ${install}`);
    say(`  apt-get update, then the same: ${aptLine(updated)}`);
    let n = 0;
    const action = async () => {
      const r = await runAction(
        { targets: '127.0.0.1', ports: String(port), expected: `127.0.0.1: ${port}` },
        system.exec,
        {
          ...server.env,
          RUNNER_TEMP: runnerTemp,
          GITHUB_WORKSPACE: work,
          GITHUB_RUN_ID: String(++n),
          ImageOS: 'bench',
          ImageVersion: '1',
        },
      );
      const install = r.report?.scan?.nmapInstall ?? {};
      const aptGet = /^\$ (sudo -n -- )?apt-get /m.test(r.stdout);
      const ok = r.code === 0 && r.findings.length === 0;
      return { ...install, aptGet, ok };
    };
    const miss = await action();
    say(
      `  port-drift, cache miss: ${fmt(miss.seconds)} s from ${miss.from}${miss.cacheKey ? ', packages kept in the cache' : ''}${miss.ok ? '' : ' (the run failed)'}`,
    );
    const hits = [];
    for (let i = 0; i < RUNS; i++) hits.push(await action());
    const fromCache = hits.filter((h) => h.from === 'actions-cache' && !h.aptGet && h.ok);
    const t = median(hits.map((h) => h.seconds));
    say(
      `  port-drift, cache hit: ${hits.map((h) => fmt(h.seconds)).join(', ')} s (median ${fmt(t)}); from the cache with apt-get not run in ${fromCache.length} of ${hits.length} runs; ${hits[0]?.packages ?? '?'} packages verified each`,
    );
    say(
      `  target: nmap from the cache ready in at most 5 s, apt-get not run; x apt-get install ${fmt(t / plain.seconds, 2)}`,
    );
    results.install = {
      aptGet: plain.seconds,
      aptGetAfterUpdate: updated.seconds,
      miss: miss.seconds,
      hits: hits.map((h) => h.seconds),
      median: t,
      fromCache: fromCache.length,
      packages: hits[0]?.packages,
    };
  } finally {
    listener.close();
    await server.close();
    system.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Printing

const fmt = (n, digits = 1) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const secs = (r) => (r ? `${r.capped ? '>' : ''}${fmt(r.seconds)}` : '-');
const ratio = (a, r) => (r ? `${r.capped ? '<' : ''}${fmt(a / r.seconds, 3)}` : '-');
const brief = (findings) =>
  findings
    .map((f) => `${f.kind} ${f.address}${f.port === undefined ? '' : `:${f.port}`}`)
    .join(', ');
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const say = (s) => console.log(s);

// ---------------------------------------------------------------------------------------------

const nets = new Map();
const results = { scenarios: {} };
try {
  // Build every network first: the LAN fleet, and one path per path scenario.
  await Promise.all(
    SCENARIOS.map(async (s) => {
      const net = s.path
        ? await createPath({ ...s.path, hosts: s.key === 'p20k' ? [...HOSTS, PROXY_HOST] : HOSTS })
        : await createFleet(HOSTS);
      nets.set(s.key, net);
    }),
  );
  say(`port-drift bench: ${RUNS} port-drift runs per scenario; machine load ${load()}`);
  say(`targets ${TARGETS.join(', ')}; policy:\n  ${EXPECTED.replace('\n', '\n  ')}`);
  say(`truth: open ${TRUE_OPEN.join(' ')}; drift ${TRUE_DRIFT.join(', ')}`);

  if (only.has('check')) {
    // The forwarder must not be the bottleneck: offer it far more than any scenario's policer.
    const path = nets.get('p20k');
    say('\nThe path itself: nmap at --min-rate 50000, no policer, to the RST host (65,535 probes)');
    await path.set({ pps: 0 });
    await path.resetCounters();
    const samples = [];
    const sampler = setInterval(() => {
      path.counters().then(
        (c) => samples.push([Date.now(), c.forward.in]),
        () => {},
      );
    }, 250);
    const r = await timed(
      path.scannerNs,
      ['nmap', '-sS', '-Pn', '-n', '-p-', '--max-retries', '0', '--min-rate', '50000', '--', RST],
      { capSeconds: 120 },
    );
    clearInterval(sampler);
    const c = await path.counters();
    let peak = 0;
    for (let i = 4; i < samples.length; i++)
      peak = Math.max(
        peak,
        (samples[i][1] - samples[i - 4][1]) / ((samples[i][0] - samples[i - 4][0]) / 1000),
      );
    const closed = Number(/(\d+) closed tcp ports/.exec(r.out)?.[1] ?? 0);
    const silent = Number(/(\d+) filtered tcp ports/.exec(r.out)?.[1] ?? 0);
    say(
      `  ${fmt(r.seconds)} s; probes read by the forwarder ${c.forward.in}, dropped before it could read them ${c.forward.queueDropped}, delay queue overflow ${c.forward.overflow}`,
    );
    say(
      `  answers carried back ${c.reverse.passed}; nmap itself counted ${closed} closed, ${silent} unanswered (nmap short of CPU loses answers at this rate, on the LAN too); peak offered rate over 1 s: ${fmt(peak, 0)} packets/s`,
    );
    say(
      `  latest release after the set delay: ${fmt(c.forward.maxLateMs)} ms out, ${fmt(c.reverse.maxLateMs)} ms back (the forwarder short of CPU); load ${load()}`,
    );
    results.check = {
      seconds: r.seconds,
      in: c.forward.in,
      queueDropped: c.forward.queueDropped,
      overflow: c.forward.overflow,
      answers: c.reverse.passed,
      nmapClosed: closed,
      nmapUnanswered: silent,
      maxLateMs: [c.forward.maxLateMs, c.reverse.maxLateMs],
      peakPps: peak,
    };
    await path.set(SCENARIOS.find((s) => s.key === 'p20k').path);
  }

  const full = SCENARIOS.filter((s) => only.has(s.key));
  if (full.length > 0) {
    say(
      `\nPlain nmap baselines, full TCP range (${opts.serial ? 'one at a time' : 'scenarios side by side'}; cap ${PLAIN_CAP} s)`,
    );
    const baseline = async (s) => {
      const net = nets.get(s.key);
      const plain = await plainNmap(net, 'all', TARGETS);
      const minRate = await plainNmap(net, 'all', TARGETS, ['--min-rate', '5000']);
      const miss = (r) =>
        r.capped ? 'stopped' : String(TRUE_OPEN.filter((p) => !r.open.includes(p)).length);
      say(
        `  ${s.label.padEnd(30)} nmap -p- ${secs(plain)} s (missed ${miss(plain)}), --min-rate 5000 ${secs(minRate)} s (missed ${miss(minRate)}); load ${load()}`,
      );
      return { plain, minRate };
    };
    const base = {};
    if (opts.serial) for (const s of full) base[s.key] = await baseline(s);
    else await Promise.all(full.map(async (s) => (base[s.key] = await baseline(s))));

    for (const s of full) {
      const net = nets.get(s.key);
      say(`\n${s.label}: port-drift ports: all, ${RUNS} runs`);
      const runs = [];
      for (let i = 0; i < RUNS; i++) {
        await net.resetCounters?.();
        const r = await portDrift(net, {
          targets: TARGETS.join(','),
          expected: EXPECTED,
          ports: 'all',
        });
        const c = await net.counters?.();
        const j = judge(r);
        runs.push({
          seconds: r.seconds,
          mib: r.mib,
          ...j,
          sent: c?.forward.in,
          policed: c?.forward.policed,
          late: c ? Math.max(c.forward.maxLateMs, c.reverse.maxLateMs) : undefined,
          queueDropped: c ? c.forward.queueDropped + c.reverse.queueDropped : undefined,
        });
        const path = c
          ? `; probes ${c.forward.in}, policed ${fmt((100 * c.forward.policed) / Math.max(1, c.forward.in), 0)}%` +
            (c.forward.queueDropped + c.reverse.queueDropped > 0
              ? `, ${c.forward.queueDropped + c.reverse.queueDropped} dropped by a full forwarder queue`
              : '') +
            `, late <= ${fmt(Math.max(c.forward.maxLateMs, c.reverse.maxLateMs), 0)} ms`
          : '';
        say(
          `  run ${i + 1}: ${fmt(r.seconds)} s, ${fmt(r.mib, 0)} MiB${path}; ` +
            (r.report ? `findings [${brief(r.report.findings)}]` : `CRASHED: ${r.why}`) +
            (j.missedOpen
              ? `; missed ${TRUE_OPEN.filter((p) => !r.open.includes(p)).join(' ')}`
              : ''),
        );
      }
      const sum = (k) => runs.reduce((n, r) => n + r[k], 0);
      const t = median(runs.map((r) => r.seconds));
      const floor = s.path ? PROBES / s.path.pps : undefined;
      results.scenarios[s.key] = {
        label: s.label,
        runs: runs.length,
        seconds: runs.map((r) => r.seconds),
        median: t,
        floor,
        vsFloor: floor ? t / floor : undefined,
        plain: {
          seconds: base[s.key].plain.seconds,
          capped: base[s.key].plain.capped,
          mib: base[s.key].plain.mib,
        },
        minRate5000: { seconds: base[s.key].minRate.seconds, capped: base[s.key].minRate.capped },
        vsPlain: t / base[s.key].plain.seconds,
        vsMinRate: t / base[s.key].minRate.seconds,
        missedOpen: sum('missedOpen'),
        falseDrift: sum('falseDrift'),
        missedDrift: sum('missedDrift'),
        inconclusive: sum('inconclusive'),
        crashed: sum('crashed'),
        peakMiB: Math.max(...runs.map((r) => r.mib)),
        pathMaxLateMs: s.path ? Math.max(...runs.map((r) => r.late)) : undefined,
        pathQueueDropped: s.path ? sum('queueDropped') : undefined,
        policedPercent: s.path ? (100 * sum('policed')) / Math.max(1, sum('sent')) : undefined,
        base: base[s.key],
      };
    }
  }

  if (only.has('default')) {
    const path = nets.get('p20k');
    const n = Math.min(RUNS, 3);
    say(
      `\nDefault port set across 40 ms RTT (20k pps policer): port-drift ${n} runs, then plain nmap on the same port list`,
    );
    const times = [];
    let list;
    let falseDrift = 0;
    let missedOpen = 0;
    for (let i = 0; i < n; i++) {
      const r = await portDrift(path, { targets: TARGETS.join(','), expected: EXPECTED });
      times.push(r.seconds);
      const j = judge(r);
      falseDrift += j.falseDrift;
      missedOpen += j.missedOpen;
      list ??= r.report?.scan?.ports
        ?.filter((p) => p.protocol === 'tcp')
        .map((p) => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`))
        .join(',');
      say(
        `  run ${i + 1}: ${fmt(r.seconds)} s, ${fmt(r.mib, 0)} MiB; ${r.report ? `findings [${brief(r.report.findings)}]` : `CRASHED: ${r.why}`}`,
      );
    }
    const t = median(times);
    if (list) {
      const plain = await plainNmap(path, list, TARGETS);
      say(
        `  nmap -sS -Pn -n -p <the same ${list.split(',').length} ranges>: ${secs(plain)} s; ratio ${ratio(t, plain)}`,
      );
      results.defaultSet = {
        seconds: times,
        median: t,
        plain: plain.seconds,
        plainCapped: plain.capped,
        ratio: t / plain.seconds,
        falseDrift,
        missedOpen,
      };
    } else {
      say('  no port list in report.json (scan.ports): plain nmap not run');
      results.defaultSet = { seconds: times, median: t, falseDrift, missedOpen };
    }
    // The same with 27017 allowed: no unexpected-open port, so no version detection (nmap waits
    // about six seconds for a banner from a service that speaks second, such as MongoDB).
    const quiet = [];
    for (let i = 0; i < n; i++) {
      const r = await portDrift(path, {
        targets: TARGETS.join(','),
        expected: `${EXPECTED.replace(`${RST}: 22, 80, 443, 8080`, `${RST}: 22, 80, 443, 8080, 27017`)}`,
      });
      quiet.push(r.seconds);
      const kinds = (r.report?.findings ?? []).map((f) => `${f.kind} ${f.address}`);
      say(
        `  27017 allowed (nothing to identify), run ${i + 1}: ${fmt(r.seconds)} s; ${r.report ? `findings [${kinds.join(', ')}]` : `CRASHED: ${r.why}`}`,
      );
    }
    results.defaultSet.quiet = { seconds: quiet, median: median(quiet) };
    if (results.defaultSet.plain)
      results.defaultSet.quiet.ratio = median(quiet) / results.defaultSet.plain;
    // The same with two services pinned (22 ssh, 80 http): what version detection on pinned ports
    // costs. Nothing else changes; the run without pins above is the one to compare.
    const pinned = [];
    for (let i = 0; i < n; i++) {
      const r = await portDrift(path, {
        targets: TARGETS.join(','),
        expected: `${EXPECTED.replace(`${RST}: 22, 80, 443, 8080`, `${RST}: 22 (ssh), 80 (http nginx), 443, 8080, 27017`)}`,
      });
      pinned.push(r.seconds);
      const kinds = (r.report?.findings ?? []).map((f) => `${f.kind} ${f.address}`);
      say(
        `  27017 allowed, 22 and 80 pinned (version detection on them), run ${i + 1}: ${fmt(r.seconds)} s; ${r.report ? `findings [${kinds.join(', ')}]` : `CRASHED: ${r.why}`}`,
      );
    }
    results.defaultSet.pinned = { seconds: pinned, median: median(pinned) };
  }

  if (only.has('blocks')) await blocks();
  if (only.has('busy')) await busy();
  if (only.has('install')) await installBench();

  if (only.has('every')) {
    const path = nets.get('p20k');
    say(
      `\nA host that answers on every TCP port (${PROXY}), with the RST host, full range, 20k pps policer`,
    );
    const r = await portDrift(
      path,
      {
        targets: `${PROXY},${RST}`,
        expected: `${PROXY}: 443\n${RST}: 22, 80, 443, 8080`,
        ports: 'all',
      },
      Number(opts['every-cap']),
    );
    const findings = r.report?.findings ?? [];
    const proxy = findings.filter((f) => f.address === PROXY);
    const other = findings.filter((f) => f.address !== PROXY);
    const kinds = {};
    for (const f of proxy) kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
    say(`  ${fmt(r.seconds)} s, ${fmt(r.mib, 0)} MiB, exit ${r.code}${r.why ? ` (${r.why})` : ''}`);
    say(
      `  findings on ${PROXY}: ${proxy.length} (${
        Object.entries(kinds)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none'
      })`,
    );
    say(`  findings elsewhere: [${brief(other)}] (truth: unexpected-open ${RST}:27017)`);
    results.everyPort = {
      seconds: r.seconds,
      capped: r.capped,
      code: r.code,
      proxyFindings: proxy.length,
      kinds,
      other: brief(other),
    };
  }

  if (only.has('xml')) {
    say('\nReading a 65,536-host nmap XML file');
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
    // port-drift's own XML reader (compiled to build/ by `npm run bench`), in a fresh process so
    // that its peak memory is the reader's alone; skipped, saying so, if the reader has moved.
    const parser = join(root, 'build/src/nmap/parse.js');
    const probe = `import { readFileSync } from 'node:fs';
const { parseNmapXml } = await import(${JSON.stringify(parser)});
const t = process.hrtime.bigint();
const run = parseNmapXml(readFileSync(${JSON.stringify(file)}, 'utf8'));
const s = Number(process.hrtime.bigint() - t) / 1e9;
console.log(JSON.stringify({ seconds: s, hosts: run.hosts.length, ports: run.hosts.reduce((n, h) => n + h.ports.length, 0), maxRssMiB: process.resourceUsage().maxRSS / 1024 }));`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
      encoding: 'utf8',
    });
    if (out.status === 0) {
      const r = JSON.parse(out.stdout);
      say(
        `  ${fmt(size / 1048576)} MiB, ${r.hosts} hosts, ${r.ports} ports read in ${fmt(r.seconds, 2)} s, ${fmt(r.maxRssMiB, 0)} MiB peak`,
      );
      results.xml = { bytes: size, ...r };
    } else {
      say(`  not measured: ${out.stderr.trim().split('\n')[0]}`);
    }
  }

  // The table.
  const rows = Object.entries(results.scenarios);
  if (rows.length > 0) {
    say(
      '\nSummary: full TCP range, 3 addresses (time is the median of the runs; ratios < 1 are faster)',
    );
    const head = [
      'scenario',
      'time s',
      'floor s',
      'x floor',
      'nmap s',
      'x nmap',
      'mr5000 s',
      'x mr5000',
      'missed',
      'false',
      'm.drift',
      'incon',
      'crash',
      'MiB',
      'policed',
    ];
    const table = rows.map(([, r]) => [
      r.label,
      fmt(r.median),
      r.floor ? fmt(r.floor) : '-',
      r.floor ? fmt(r.vsFloor, 2) : '-',
      secs(r.base.plain),
      ratio(r.median, r.base.plain),
      secs(r.base.minRate),
      ratio(r.median, r.base.minRate),
      String(r.missedOpen),
      String(r.falseDrift),
      String(r.missedDrift),
      String(r.inconclusive),
      `${r.crashed}/${r.runs}`,
      fmt(r.peakMiB, 0),
      r.policedPercent === undefined ? '-' : `${fmt(r.policedPercent, 0)}%`,
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
    const row = (cells) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    say(row(head));
    for (const t of table) say(row(t));
    say(
      'missed: open ports not reported open, summed over the runs; false: findings the truth does not bear out;',
    );
    say(
      'm.drift: true drift not reported; incon: inconclusive findings; policed: share of port-drift probes the policer dropped.',
    );
    say(
      'Targets: 0 missed and 0 false everywhere; x floor <= 1.5 on the path; x nmap <= 0.10 on the LAN.',
    );
    if (results.defaultSet?.ratio !== undefined)
      say(
        `Default port set across 40 ms: ${fmt(results.defaultSet.median)} s vs nmap ${fmt(results.defaultSet.plain)} s: x ${fmt(results.defaultSet.ratio, 3)} (target <= 0.25); with nothing to identify ${fmt(results.defaultSet.quiet?.median)} s: x ${fmt(results.defaultSet.quiet?.ratio, 3)}; with 22 and 80 pinned ${fmt(results.defaultSet.pinned?.median)} s`,
      );
  }
  for (const r of Object.values(results.scenarios)) {
    r.base = { plainOpen: r.base.plain.open.length, minRateOpen: r.base.minRate.open.length };
  }
  results.benchSeconds = (Date.now() - benchStarted) / 1000;
  say(`\nbench took ${fmt(results.benchSeconds / 60)} min`);
  say(JSON.stringify(results));
} finally {
  await Promise.all([...nets.values()].map((n) => n.destroy().catch(() => {})));
  rmSync(work, { recursive: true, force: true });
}
