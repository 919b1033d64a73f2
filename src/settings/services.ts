// The one table of well-known services: the data stores and admin services `ports: default` adds
// to nmap's top 1000 TCP ports (settings/ports.ts), and the services whose findings say how to close
// them (findings/hints.ts). Both read their part of this table. Data only.
import type { Protocol } from '../base/types.js';

/** A service people expose by mistake. */
export interface WellKnownService {
  /** The product, as people call it: `MongoDB`. */
  product: string;
  protocol: Protocol;
  /** Its well-known ports. */
  ports: readonly number[];
  /** nmap's service names for it when version detection recognised it (lower case). */
  names: readonly string[];
  /** Speaks TLS on these ports: picks between entries that share an nmap name (Docker). */
  tls?: boolean;
  /**
   * How to close it, for the port as found (`27017`, `11211/udp`); the advice to accept it follows.
   * Without it, hints say only that the service should rarely face the internet.
   */
  close?: (port: string) => string;
  /**
   * The TCP ports `ports: default` always scans for it, each with the name docs/reference.md and
   * the hints give it (nmap's top 1000 TCP ports do not all cover them).
   */
  exposed?: Readonly<Record<number, string>>;
}

/** A service `ports: default` scans for, and nothing more. */
function exposedOnly(port: number, name: string): WellKnownService {
  return { product: name, protocol: 'tcp', ports: [port], names: [], exposed: { [port]: name } };
}

/**
 * Every well-known service. Order matters to the hints: the first entry that fits a port or an
 * nmap name wins, so the most specific comes first.
 */
export const SERVICES: readonly WellKnownService[] = [
  {
    product: 'MongoDB',
    protocol: 'tcp',
    ports: [27017, 27018, 27019],
    names: ['mongodb', 'mongod'],
    exposed: { 27017: 'MongoDB', 27018: 'MongoDB shard', 27019: 'MongoDB config server' },
    close: (p) =>
      `bind mongod to 127.0.0.1 or a private address (net.bindIp in mongod.conf), turn on authorization (security.authorization: enabled), and drop ${p} at the firewall`,
  },
  {
    product: 'Redis',
    protocol: 'tcp',
    ports: [6379],
    names: ['redis'],
    exposed: { 6379: 'Redis' },
    close: (p) =>
      `bind it to 127.0.0.1 or a private address (bind in redis.conf), keep protected-mode yes, require a password (requirepass or ACL users), and drop ${p} at the firewall`,
  },
  {
    product: 'Elasticsearch/OpenSearch',
    protocol: 'tcp',
    ports: [9200, 9300],
    names: ['elasticsearch', 'opensearch'],
    exposed: { 9200: 'Elasticsearch HTTP', 9300: 'Elasticsearch transport' },
    close: (p) =>
      `set network.host to 127.0.0.1 or a private address (elasticsearch.yml or opensearch.yml), keep its security features on (authentication and TLS), and drop ${p} at the firewall`,
  },
  {
    product: 'Docker API without TLS',
    protocol: 'tcp',
    ports: [2375],
    names: ['docker'],
    tls: false,
    exposed: { 2375: 'Docker API (plain)' },
    close: (p) =>
      `whoever reaches it is root on the host: remove the tcp:// listener (-H tcp://... from dockerd's flags, or from hosts in /etc/docker/daemon.json), use the unix socket or SSH (DOCKER_HOST=ssh://user@host) instead, and drop ${p} at the firewall now`,
  },
  {
    product: 'Docker API (TLS)',
    protocol: 'tcp',
    ports: [2376],
    names: ['docker'],
    tls: true,
    exposed: { 2376: 'Docker API (TLS)' },
    close: (p) =>
      `it controls the host as root: remove the tcp:// listener (-H tcp://... from dockerd's flags, or from hosts in /etc/docker/daemon.json) and use the unix socket or SSH (DOCKER_HOST=ssh://user@host), or keep --tlsverify with client certificates and allow ${p} only from the hosts that manage it`,
  },
  {
    product: 'etcd',
    protocol: 'tcp',
    ports: [2379],
    names: ['etcd', 'etcd-client'],
    exposed: { 2379: 'etcd client' },
    close: (p) =>
      `listen for clients on 127.0.0.1 or a private address only (--listen-client-urls), require client certificates (--client-cert-auth), and drop ${p} at the firewall`,
  },
  {
    product: 'etcd peer port',
    protocol: 'tcp',
    ports: [2380],
    names: ['etcd-server'],
    exposed: { 2380: 'etcd peer' },
    close: (p) =>
      `listen for peers on a private address only (--listen-peer-urls), require peer certificates (--peer-client-cert-auth), and allow ${p} only between the cluster's members`,
  },
  {
    product: 'Kubelet API',
    protocol: 'tcp',
    ports: [10250],
    names: ['kubelet'],
    exposed: { 10250: 'Kubelet API' },
    close: (p) =>
      `turn off anonymous access (--anonymous-auth=false, --authorization-mode=Webhook) and allow ${p} only from the control plane at the firewall`,
  },
  {
    product: 'Kubelet read-only port',
    protocol: 'tcp',
    ports: [10255],
    names: [],
    exposed: { 10255: 'Kubelet read-only' },
    close: (p) =>
      `turn it off (--read-only-port=0, or readOnlyPort: 0 in the kubelet configuration) and drop ${p} at the firewall`,
  },
  {
    product: 'Kubernetes API server',
    protocol: 'tcp',
    ports: [6443],
    names: [],
    exposed: { 6443: 'Kubernetes API' },
    close: (p) =>
      `allow ${p} only from the networks that administer the cluster (a firewall allow-list, the provider's authorized networks, or a private endpoint), and make sure RBAC gives anonymous requests nothing`,
  },
  {
    product: 'Memcached over UDP',
    protocol: 'udp',
    ports: [11211],
    names: ['memcached', 'memcache'],
    close: (p) =>
      `it is abused for DDoS amplification: turn UDP off (-U 0, the default since 1.5.6), bind memcached to 127.0.0.1 or a private address (-l 127.0.0.1), and drop ${p} at the firewall`,
  },
  {
    product: 'Memcached',
    protocol: 'tcp',
    ports: [11211],
    names: ['memcached', 'memcache'],
    exposed: { 11211: 'Memcached' },
    close: (p) =>
      `it has no authentication by default: bind it to 127.0.0.1 or a private address (-l 127.0.0.1), turn UDP off (-U 0), and drop ${p} at the firewall`,
  },
  {
    product: 'MySQL/MariaDB',
    protocol: 'tcp',
    ports: [3306],
    names: ['mysql', 'mariadb'],
    close: (p) =>
      `set bind-address to 127.0.0.1 or a private address under [mysqld] in my.cnf, and drop ${p} at the firewall`,
  },
  {
    product: 'PostgreSQL',
    protocol: 'tcp',
    ports: [5432],
    names: ['postgresql'],
    close: (p) =>
      `set listen_addresses to 'localhost' or a private address in postgresql.conf, allow only known networks in pg_hba.conf, and drop ${p} at the firewall`,
  },
  {
    product: 'Microsoft SQL Server',
    protocol: 'tcp',
    ports: [1433],
    names: ['ms-sql-s'],
    close: (p) =>
      `allow ${p} only from the application's addresses at the firewall, and turn off the TCP/IP protocol in SQL Server Configuration Manager if only local clients connect`,
  },
  {
    product: 'Oracle listener',
    protocol: 'tcp',
    ports: [1521],
    names: ['oracle-tns', 'oracle'],
    close: (p) =>
      `allow ${p} only from the application's addresses, at the firewall or with valid node checking in sqlnet.ora (TCP.VALIDNODE_CHECKING=YES, TCP.INVITED_NODES)`,
  },
  {
    product: 'CouchDB',
    protocol: 'tcp',
    ports: [5984],
    names: ['couchdb'],
    exposed: { 5984: 'CouchDB' },
    close: (p) =>
      `set bind_address = 127.0.0.1 or a private address in the [chttpd] section of local.ini, keep an admin account and authentication on, and drop ${p} at the firewall`,
  },
  {
    product: 'Cassandra',
    protocol: 'tcp',
    ports: [9042],
    names: ['cassandra-native', 'cassandra'],
    exposed: { 9042: 'Cassandra CQL' },
    close: (p) =>
      `set rpc_address to a private address in cassandra.yaml, turn on authentication (authenticator: PasswordAuthenticator), and drop ${p} at the firewall`,
  },
  {
    product: 'RabbitMQ',
    protocol: 'tcp',
    ports: [5672],
    names: ['amqp'],
    exposed: { 5672: 'RabbitMQ' },
    close: (p) =>
      `bind its listeners to a private address (listeners.tcp.* in rabbitmq.conf), keep the guest user loopback-only, and drop ${p} at the firewall`,
  },
  {
    product: 'RabbitMQ management',
    protocol: 'tcp',
    ports: [15672],
    names: [],
    exposed: { 15672: 'RabbitMQ management' },
    close: (p) =>
      `bind it to 127.0.0.1 or a private address (management.tcp.ip in rabbitmq.conf), reach it through a VPN or an SSH tunnel, and drop ${p} at the firewall`,
  },
  {
    product: 'Kafka',
    protocol: 'tcp',
    ports: [9092],
    names: ['kafka'],
    exposed: { 9092: 'Kafka' },
    close: (p) =>
      `bind and advertise its listeners on private addresses (listeners and advertised.listeners in server.properties), require authentication (SASL or mutual TLS), and drop ${p} at the firewall`,
  },
  {
    product: 'ZooKeeper',
    protocol: 'tcp',
    ports: [2181],
    names: ['zookeeper'],
    exposed: { 2181: 'ZooKeeper' },
    close: (p) =>
      `bind the client port to a private address (clientPortAddress in zoo.cfg) and allow ${p} only from the services that use it`,
  },
  {
    product: 'Consul',
    protocol: 'tcp',
    ports: [8500],
    names: ['consul'],
    exposed: { 8500: 'Consul' },
    close: (p) =>
      `bind its HTTP API to 127.0.0.1 or a private address (client_addr or addresses.http), turn on ACLs with a default deny policy, and drop ${p} at the firewall`,
  },
  {
    product: 'Kibana',
    protocol: 'tcp',
    ports: [5601],
    names: ['kibana'],
    exposed: { 5601: 'Kibana' },
    close: (p) =>
      `set server.host to localhost or a private address in kibana.yml, require a login (Elastic security), and drop ${p} at the firewall`,
  },
  {
    product: 'Prometheus',
    protocol: 'tcp',
    ports: [9090],
    names: ['prometheus'],
    exposed: { 9090: 'Prometheus' },
    close: (p) =>
      `it has no authentication by default: listen on a private address (--web.listen-address) or behind an authenticating proxy, and drop ${p} at the firewall`,
  },
  {
    product: 'Prometheus node exporter',
    protocol: 'tcp',
    ports: [9100],
    names: ['node_exporter', 'node-exporter'],
    exposed: { 9100: 'Prometheus node exporter' },
    close: (p) =>
      `listen on a private address (--web.listen-address) and allow ${p} only from the Prometheus server`,
  },
  {
    product: 'InfluxDB',
    protocol: 'tcp',
    ports: [8086],
    names: ['influxdb'],
    exposed: { 8086: 'InfluxDB' },
    close: (p) =>
      `bind its HTTP API to a private address (http-bind-address in 2.x, bind-address under [http] in 1.x), turn on authentication (auth-enabled = true in 1.x), and drop ${p} at the firewall`,
  },
  {
    product: 'Jupyter',
    protocol: 'tcp',
    ports: [8888],
    names: ['jupyter'],
    exposed: { 8888: 'Jupyter' },
    close: (p) =>
      `it runs code for whoever gets in: bind it to 127.0.0.1 (--ip=127.0.0.1) and reach it through an SSH tunnel, keep its token or password, and drop ${p} at the firewall`,
  },
  {
    product: 'Remote Desktop',
    protocol: 'tcp',
    ports: [3389],
    names: ['ms-wbt-server'],
    close: (p) =>
      `reach it through a VPN or a Remote Desktop Gateway, keep Network Level Authentication on, and drop ${p} at the firewall`,
  },
  {
    product: 'VNC',
    protocol: 'tcp',
    ports: [5900],
    names: ['vnc'],
    close: (p) => `reach it only through an SSH tunnel or a VPN, and drop ${p} at the firewall`,
  },
  {
    product: 'SMB',
    protocol: 'tcp',
    ports: [445, 139],
    names: ['microsoft-ds', 'netbios-ssn'],
    close: (p) =>
      `file sharing should never face the internet: drop ${p} at the firewall and reach shares through a VPN (on Samba, also set interfaces and bind interfaces only = yes in smb.conf)`,
  },
  {
    product: 'Telnet',
    protocol: 'tcp',
    ports: [23],
    names: ['telnet'],
    close: (p) =>
      `it sends passwords in clear text: turn the telnet service off, use SSH instead, and drop ${p} at the firewall`,
  },
  {
    product: 'FTP',
    protocol: 'tcp',
    ports: [21],
    names: ['ftp'],
    close: (p) =>
      `it sends passwords in clear text: replace it with SFTP or FTPS, or turn the FTP server off, and drop ${p} at the firewall`,
  },
  {
    product: 'rpcbind',
    protocol: 'tcp',
    ports: [111],
    names: ['rpcbind'],
    close: (p) =>
      `it maps the host's RPC services for anyone: stop it where no NFS is served (systemctl disable --now rpcbind.service rpcbind.socket), and drop ${p} at the firewall`,
  },
  {
    product: 'rpcbind over UDP',
    protocol: 'udp',
    ports: [111],
    names: ['rpcbind'],
    close: (p) =>
      `it is abused for DDoS amplification: stop it where no NFS is served (systemctl disable --now rpcbind.service rpcbind.socket), and drop ${p} at the firewall`,
  },
  {
    product: 'SNMP',
    protocol: 'udp',
    ports: [161],
    names: ['snmp'],
    close: (p) =>
      `restrict the agent to the management network (agentAddress in snmpd.conf, or the device's SNMP access list), replace the public and private communities with SNMPv3, and drop ${p} at the firewall`,
  },
  // Scanned by ports: default, with no advice of their own to close them.
  exposedOnly(2377, 'Docker Swarm'),
  exposedOnly(3000, 'Grafana'),
  exposedOnly(4222, 'NATS'),
  exposedOnly(4505, 'SaltStack publish'),
  exposedOnly(4506, 'SaltStack return'),
  exposedOnly(5000, 'Docker registry'),
  exposedOnly(7000, 'Cassandra inter-node'),
  exposedOnly(7474, 'Neo4j HTTP'),
  exposedOnly(7687, 'Neo4j Bolt'),
  exposedOnly(8123, 'ClickHouse HTTP'),
  exposedOnly(8200, 'Vault'),
  exposedOnly(8983, 'Solr'),
  exposedOnly(9000, 'ClickHouse native / MinIO'),
  exposedOnly(28015, 'RethinkDB'),
  exposedOnly(50070, 'Hadoop NameNode'),
];
