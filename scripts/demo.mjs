#!/usr/bin/env node
// `npm run demo`: runs the built action (dist/index.js) exactly as a GitHub runner would, against
// listeners this script starts on 127.0.0.1, with a policy that holds one deliberate drift: a
// "forgotten" Redis on port 16379. Needs no root; scans loopback only. Prints the job summary.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
const services = [
  { port: 18080, banner: 'HTTP/1.1 200 OK\r\nServer: demo-web\r\n\r\n' },
  { port: 18443, banner: '' },
  { port: 16379, banner: '-ERR demo redis, nobody meant to expose me\r\n' },
];

function listen({ port, banner }) {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.on('error', () => {});
      if (banner) socket.end(banner);
      else socket.end();
    });
    server.once('error', (error) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} on ${HOST} is taken: stop what listens there and run again`)
          : error,
      ),
    );
    server.listen(port, HOST, () => resolve(server));
  });
}

const work = mkdtempSync(join(tmpdir(), 'port-drift-demo-'));
const servers = [];
try {
  for (const s of services) servers.push(await listen(s));
  const summaryFile = join(work, 'summary.md');
  const outputFile = join(work, 'output.txt');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  const inputs = {
    name: 'demo',
    targets: HOST,
    // The policy: a web server and an API are meant to be reachable. Redis is not.
    expected: `${HOST}: 18080, 18443`,
    ports: '16379, 18080, 18443, 18444',
    'scan-timeout': '2m',
    'report-dir': join(work, 'report'),
  };
  const env = {
    ...process.env,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_OUTPUT: outputFile,
    RUNNER_TEMP: work,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;

  console.log(`Scanning ${HOST} with the built action (dist/index.js)...\n`);
  const code = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist/index.js')], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let log = '';
    child.stdout.on('data', (chunk) => (log += chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      // The runner turns workflow commands into annotations; here, show them as plain lines.
      for (const line of log.split('\n')) {
        if (/^::(error|warning)/.test(line)) console.log(line.replace(/^::(\w+)[^:]*::/, '$1: '));
      }
      resolve(exitCode);
    });
  });

  console.log('\n------------------------------ job summary ------------------------------\n');
  console.log(readFileSync(summaryFile, 'utf8'));
  console.log('-------------------------------------------------------------------------\n');
  const outputs = readFileSync(outputFile, 'utf8');
  const findings = /findings<<(\S+)\n([\s\S]*?)\n\1/.exec(outputs)?.[2] ?? '[]';
  const found = JSON.parse(findings);
  console.log(`The action exited with ${code}. Findings: ${JSON.stringify(found)}\n`);
  const caught =
    code === 1 &&
    found.length === 1 &&
    found[0].port === 16379 &&
    found[0].kind === 'unexpected-open';
  if (caught) {
    console.log('As meant: the forgotten Redis on 16379 is unexpected-open, so the step failed.');
  } else {
    console.log('Not what the demo expects: one unexpected-open finding on 16379 and exit code 1.');
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`demo: ${error.message}`);
  process.exitCode = 1;
} finally {
  for (const server of servers) server.close();
  rmSync(work, { recursive: true, force: true });
}
