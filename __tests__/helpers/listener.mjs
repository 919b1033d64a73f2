// A fake host's services, run inside the host's network namespace by __tests__/helpers/fleet.ts:
//
//   ip netns exec <ns> node listener.mjs '<json config>'
//
// Config: { name, tcp: [{ address, port, banner?, http?, tls? }], udp: [{ address, port, reply? }] },
// where banner/reply are base64 (so any bytes survive argv: UTF-8, NUL, escape sequences, hostile
// text), `http` is a Server header (the port then answers every request as a web server does) and
// `tls` is { cert, key } in PEM (the port then speaks TLS first, with that certificate).
// Every TCP connection gets the banner (if any) and is then held open until the peer sends
// anything (then closed, or answered when `http`), closes it, or it idles for 30 s. Every UDP datagram is answered with the reply (if any; with
// no reply the port stays silent, which nmap calls open|filtered).
//
// Prints `READY <json>` on stdout once every socket is bound, or exits 1 with the reason on
// stderr. Exits on SIGTERM/SIGINT, and when stdin closes (the test process that spawned it died).
// No dependencies: this file is not compiled.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

const IDLE_MS = 30_000;
const BIND_RETRY_MS = 3_000;

const config = JSON.parse(process.argv[2] ?? '{}');
const label = `listener ${config.name ?? '?'}`;
const servers = [];
const sockets = new Set();

function fail(message) {
  process.stderr.write(`${label}: ${message}\n`);
  process.exit(1);
}

function decode(b64) {
  return typeof b64 === 'string' ? Buffer.from(b64, 'base64') : undefined;
}

/** Retries EADDRNOTAVAIL for a moment (an IPv6 address still in DAD), fails on anything else. */
async function withRetry(what, bindOnce) {
  const deadline = Date.now() + BIND_RETRY_MS;
  for (;;) {
    try {
      return await bindOnce();
    } catch (err) {
      if (err?.code === 'EADDRNOTAVAIL' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      throw new Error(`cannot bind ${what}: ${err?.code ?? ''} ${err?.message ?? err}`, {
        cause: err,
      });
    }
  }
}

/** A web server's answer to any request, with its Server header. */
function httpAnswer(server) {
  const body = '<html><body>ok</body></html>\n';
  return [
    'HTTP/1.1 200 OK',
    `Server: ${server}`,
    'Content-Type: text/html',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

function bindTcp({ address, port, banner, http, tls }) {
  const bytes = decode(banner);
  return new Promise((resolve, reject) => {
    const onConnection = (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.setTimeout(IDLE_MS, () => socket.destroy());
      // Like most real services, it hangs up on input it does not understand; nmap's version
      // probes then move on at once instead of waiting out each probe's timeout.
      socket.on('data', () => (http ? socket.end(httpAnswer(http)) : socket.end()));
      if (bytes && bytes.length > 0) socket.write(bytes);
    };
    const server = tls
      ? createTlsServer({ cert: tls.cert, key: tls.key }, onConnection)
      : createServer(onConnection);
    // A client that fails the handshake (nmap's other probes) is no error of the listener.
    server.on('tlsClientError', () => {});
    server.once('error', reject);
    server.listen({ host: address, port, ipv6Only: address.includes(':'), backlog: 511 }, () => {
      server.removeListener('error', reject);
      server.on('error', (err) =>
        process.stderr.write(`${label}: tcp ${address} ${port}: ${err}\n`),
      );
      servers.push(server);
      resolve();
    });
  });
}

function bindUdp({ address, port, reply }) {
  const bytes = decode(reply);
  return new Promise((resolve, reject) => {
    const v6 = address.includes(':');
    const socket = createSocket(v6 ? { type: 'udp6', ipv6Only: true } : { type: 'udp4' });
    socket.once('error', reject);
    socket.on('message', (_msg, rinfo) => {
      if (bytes) socket.send(bytes, rinfo.port, rinfo.address, () => {});
    });
    socket.bind({ address, port, exclusive: true }, () => {
      socket.removeListener('error', reject);
      socket.on('error', (err) =>
        process.stderr.write(`${label}: udp ${address} ${port}: ${err}\n`),
      );
      servers.push(socket);
      resolve();
    });
  });
}

function shutdown() {
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
  process.exit(0);
}

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();

try {
  const bound = [];
  for (const l of config.tcp ?? []) {
    await withRetry(`tcp ${l.address} port ${l.port}`, () => bindTcp(l));
    bound.push(`tcp:${l.address}:${l.port}`);
  }
  for (const l of config.udp ?? []) {
    await withRetry(`udp ${l.address} port ${l.port}`, () => bindUdp(l));
    bound.push(`udp:${l.address}:${l.port}`);
  }
  process.stdout.write(`READY ${JSON.stringify(bound)}\n`);
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
