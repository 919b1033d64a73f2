// The hints and exposure text a user sees for well-known services, pinned against a snapshot made
// from the code before the two service tables (ports.ts, hints.ts) became one (services.ts). Every
// entry of the snapshot is computed again and must match byte for byte; the snapshot must cover
// every port of the table, so a service added later is seen here too.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { remedyFor, serviceAt } from '../../src/findings/hints.js';
import { EXPOSED_SERVICES } from '../../src/settings/ports.js';
import { SERVICES } from '../../src/settings/services.js';
import type { Finding, Protocol } from '../../src/base/types.js';
import { fixturesDir } from '../helpers/paths.js';

const SNAPSHOT = join(fixturesDir, 'services', 'hints.json');

interface Entry {
  port: number;
  protocol: Protocol;
  name?: string;
  tunnel?: string;
  method?: string;
  serviceAt: string | null;
  remedy: string;
}

function compute(e: Omit<Entry, 'serviceAt' | 'remedy'>): Entry {
  const finding: Finding = {
    kind: 'unexpected-open',
    target: '198.51.100.7',
    address: '198.51.100.7',
    port: e.port,
    protocol: e.protocol,
    expected: 'not open',
    observed: 'open',
    ...(e.name === undefined
      ? {}
      : {
          service: {
            name: e.name,
            ...(e.method ? { method: e.method } : {}),
            ...(e.tunnel ? { tunnel: e.tunnel } : {}),
          },
        }),
  };
  return {
    ...e,
    serviceAt: serviceAt(e.port, e.protocol, e.name) ?? null,
    remedy: remedyFor(finding),
  };
}

/** Every port and nmap name either table knew before the change, each way a finding can carry it. */
const PORTS = [
  21, 23, 111, 139, 161, 445, 1433, 1521, 2181, 2375, 2376, 2377, 2379, 2380, 3000, 3306, 3389,
  4222, 4505, 4506, 5000, 5432, 5601, 5672, 5900, 5984, 6379, 6443, 7000, 7474, 7687, 8086, 8123,
  8200, 8500, 8888, 8983, 9000, 9042, 9090, 9092, 9100, 9200, 9300, 10250, 10255, 11211, 15672,
  27017, 27018, 27019, 28015, 50070, 80, 443, 27999, 40000,
];
const NAMES = [
  'mongodb',
  'mongod',
  'redis',
  'elasticsearch',
  'opensearch',
  'docker',
  'etcd',
  'etcd-client',
  'etcd-server',
  'kubelet',
  'memcached',
  'memcache',
  'mysql',
  'mariadb',
  'postgresql',
  'ms-sql-s',
  'oracle-tns',
  'oracle',
  'couchdb',
  'cassandra-native',
  'cassandra',
  'amqp',
  'kafka',
  'zookeeper',
  'consul',
  'kibana',
  'prometheus',
  'node_exporter',
  'node-exporter',
  'influxdb',
  'jupyter',
  'ms-wbt-server',
  'vnc',
  'microsoft-ds',
  'netbios-ssn',
  'telnet',
  'ftp',
  'rpcbind',
  'snmp',
  'http',
  ' MongoDB ',
];

/** Ports where every name is tried. */
const NAMED_AT = [111, 2375, 2376, 6379, 11211, 27999, 40000];

function inputs(): Omit<Entry, 'serviceAt' | 'remedy'>[] {
  const out: Omit<Entry, 'serviceAt' | 'remedy'>[] = [];
  for (const protocol of ['tcp', 'udp'] as const) {
    for (const port of PORTS) {
      out.push({ port, protocol });
      out.push({ port, protocol, name: 'unknown', method: 'table' });
      // nmap's names, where the port alone would pick another entry or none.
      if (!NAMED_AT.includes(port)) continue;
      for (const name of NAMES) {
        out.push({ port, protocol, name, method: 'probed' });
        if (name === 'docker') out.push({ port, protocol, name, method: 'probed', tunnel: 'ssl' });
      }
    }
  }
  return out;
}

/** The snapshot's form: each distinct text once, and one row an entry that points at its text. */
interface Stored {
  remedies: string[];
  rows: [number, Protocol, string | null, string | null, string | null, string | null, number][];
}

function store(entries: readonly Entry[]): Stored {
  const remedies = [...new Set(entries.map((e) => e.remedy))];
  return {
    remedies,
    rows: entries.map((e) => [
      e.port,
      e.protocol,
      e.name ?? null,
      e.method ?? null,
      e.tunnel ?? null,
      e.serviceAt,
      remedies.indexOf(e.remedy),
    ]),
  };
}

function load(stored: Stored): Entry[] {
  return stored.rows.map(([port, protocol, name, method, tunnel, at, remedy]) => ({
    port,
    protocol,
    ...(name === null ? {} : { name }),
    ...(method === null ? {} : { method }),
    ...(tunnel === null ? {} : { tunnel }),
    serviceAt: at,
    remedy: stored.remedies[remedy]!,
  }));
}

// Written only when asked (UPDATE_SERVICES_SNAPSHOT=1), after a change of the texts is reviewed.
if (process.env['UPDATE_SERVICES_SNAPSHOT'] === '1') {
  const stored = store(inputs().map(compute));
  writeFileSync(
    SNAPSHOT,
    `{"remedies":${JSON.stringify(stored.remedies, null, 1)},\n"rows":[\n${stored.rows.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`,
  );
}

describe('the service table', () => {
  const snapshot = load(JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Stored);

  it('gives every hint and service name the snapshot holds, byte for byte', () => {
    assert.ok(snapshot.length > 800, `${snapshot.length} entries`);
    for (const want of snapshot) {
      const input = { port: want.port, protocol: want.protocol, name: want.name };
      const got = compute({ ...input, method: want.method, tunnel: want.tunnel });
      assert.equal(got.serviceAt, want.serviceAt, JSON.stringify(input));
      assert.equal(got.remedy, want.remedy, JSON.stringify(input));
    }
  });

  it('has every port of ports: default in the snapshot', () => {
    const covered = new Set(snapshot.map((e) => e.port));
    for (const s of EXPOSED_SERVICES) assert.ok(covered.has(s.port), `${s.port} ${s.service}`);
  });

  it('gives ports: default the services, names and order it had before the tables became one', () => {
    assert.deepEqual(
      EXPOSED_SERVICES.map((s) => [s.port, s.service]),
      [
        [2181, 'ZooKeeper'],
        [2375, 'Docker API (plain)'],
        [2376, 'Docker API (TLS)'],
        [2377, 'Docker Swarm'],
        [2379, 'etcd client'],
        [2380, 'etcd peer'],
        [3000, 'Grafana'],
        [4222, 'NATS'],
        [4505, 'SaltStack publish'],
        [4506, 'SaltStack return'],
        [5000, 'Docker registry'],
        [5601, 'Kibana'],
        [5672, 'RabbitMQ'],
        [5984, 'CouchDB'],
        [6379, 'Redis'],
        [6443, 'Kubernetes API'],
        [7000, 'Cassandra inter-node'],
        [7474, 'Neo4j HTTP'],
        [7687, 'Neo4j Bolt'],
        [8086, 'InfluxDB'],
        [8123, 'ClickHouse HTTP'],
        [8200, 'Vault'],
        [8500, 'Consul'],
        [8888, 'Jupyter'],
        [8983, 'Solr'],
        [9000, 'ClickHouse native / MinIO'],
        [9042, 'Cassandra CQL'],
        [9090, 'Prometheus'],
        [9092, 'Kafka'],
        [9100, 'Prometheus node exporter'],
        [9200, 'Elasticsearch HTTP'],
        [9300, 'Elasticsearch transport'],
        [10250, 'Kubelet API'],
        [10255, 'Kubelet read-only'],
        [11211, 'Memcached'],
        [15672, 'RabbitMQ management'],
        [27017, 'MongoDB'],
        [27018, 'MongoDB shard'],
        [27019, 'MongoDB config server'],
        [28015, 'RethinkDB'],
        [50070, 'Hadoop NameNode'],
      ],
    );
  });

  it('names each port of ports: default once, on a TCP entry that holds that port', () => {
    const seen = new Set<number>();
    for (const s of SERVICES) {
      for (const port of Object.keys(s.exposed ?? {}).map(Number)) {
        assert.equal(s.protocol, 'tcp', s.product);
        assert.ok(s.ports.includes(port), `${s.product}: ${port}`);
        assert.ok(!seen.has(port), `${port} twice`);
        seen.add(port);
      }
    }
  });
});
