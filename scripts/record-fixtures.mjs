#!/usr/bin/env node
// Records the nmap XML fixtures in __tests__/fixtures/nmap/ from real nmap runs on a namespace
// fleet (documentation addresses only, no route out). Needs root and a test build:
//   npx tsc -p tsconfig.test.json && node scripts/record-fixtures.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFleet } from '../build/__tests__/helpers/fleet.js';
import { fixturesDir } from '../build/__tests__/helpers/paths.js';

const HOSTILE =
  'SSH-2.0-Caf\u00e9 <img src=x onerror=alert(1)> @admin #1 [x](https://evil.test)\r\n';

const fleet = await createFleet([
  {
    name: 'web',
    ipv4: '203.0.113.20',
    ipv6: '2001:db8::20',
    tcp: [22, 80, { port: 443, ipv4Only: true }],
  },
  {
    name: 'db',
    ipv4: '203.0.113.21',
    tcp: [{ port: 2222, banner: HOSTILE }, 27017],
    dropTcp: [5432],
  },
  { name: 'dns', ipv4: '203.0.113.22', udp: [{ port: 53, reply: 'x' }, 161] },
]);
const out = (name) => join(fixturesDir, 'nmap', name);
const nmap = async (name, args) => {
  const end = args.indexOf('--');
  const argv = ['nmap', ...args.slice(0, end), '-oX', out(name), ...args.slice(end)];
  const r = await fleet.exec(argv, { timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`nmap ${args.join(' ')}: ${r.stderr}`);
  console.log(`recorded ${name}`);
};
try {
  await nmap('fleet-ipv4.xml', [
    '-sS',
    '-sV',
    '--version-light',
    '-Pn',
    '-n',
    '-v',
    '--reason',
    '-p',
    '22,80,443,2222,5432,6379,27017',
    '--',
    '203.0.113.20',
    '203.0.113.21',
    '203.0.113.250',
  ]);
  await nmap('fleet-ipv6.xml', [
    '-6',
    '-sS',
    '-Pn',
    '-n',
    '-v',
    '--reason',
    '-p',
    '22,80,443',
    '--',
    '2001:db8::20',
  ]);
  await nmap('fleet-udp.xml', [
    '-sU',
    '-Pn',
    '-n',
    '-v',
    '--reason',
    '-p',
    '53,161,162',
    '--',
    '203.0.113.22',
  ]);
  writeFileSync(
    out('README.md'),
    'Recorded by scripts/record-fixtures.mjs from nmap on a namespace fleet.\n',
  );
} finally {
  await fleet.destroy();
}
