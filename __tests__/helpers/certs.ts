// TLS certificates made with openssl at test time, for listeners in the namespaces: signed by a
// test CA with any validity dates (past ones too, through `openssl ca -startdate/-enddate`), or
// self-signed. Each call works in its own temporary folder, removed before it returns.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './exec.js';

export interface CertSpec {
  /** The subject's common name: any text openssl takes (hostile text too). */
  cn: string;
  /** DNS names of the subjectAltName extension; none: no extension. */
  dns: readonly string[];
  notBefore: Date;
  notAfter: Date;
  /** Signed by its own key instead of the test CA (dates then start now, for `days`). */
  selfSigned?: boolean;
}

export interface Pem {
  cert: string;
  key: string;
}

const CA_CONFIG = `[ ca ]
default_ca = CA_default
[ CA_default ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = policy_any
email_in_dn = no
copy_extensions = copy
unique_subject = no
[ policy_any ]
commonName = supplied
`;

/** `20250101000000Z`, as `openssl ca` takes a date. */
const caDate = (d: Date): string => d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

/** `/CN=...` with openssl's own escapes for `/`, `=`, `+` and `\`. */
const subject = (cn: string): string => `/CN=${cn.replace(/[\\/=+]/g, (c) => `\\${c}`)}`;

const DAY_MS = 24 * 3600 * 1000;

/** Makes one certificate and key per spec, in PEM. */
export async function makeCertificates<K extends string>(
  specs: Record<K, CertSpec>,
): Promise<Record<K, Pem>> {
  const dir = mkdtempSync(join(tmpdir(), 'port-drift-certs-'));
  const run = async (args: string[]): Promise<void> => {
    const r = await runCommand(['openssl', ...args], { cwd: dir, timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`openssl ${args[0]} failed (${r.code}): ${r.stderr}`);
  };
  try {
    writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '01\n');
    await run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=port-drift test CA']); // prettier-ignore
    const out = {} as Record<K, Pem>;
    for (const [name, spec] of Object.entries(specs) as [K, CertSpec][]) {
      const san = spec.dns.length ? ['-addext', `subjectAltName=${spec.dns.map((d) => `DNS:${d}`).join(',')}`] : []; // prettier-ignore
      const [key, cert] = [`${name}.key`, `${name}.pem`];
      if (spec.selfSigned) {
        const days = Math.max(1, Math.round((spec.notAfter.getTime() - Date.now()) / DAY_MS));
        await run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', String(days), '-subj', subject(spec.cn), ...san]); // prettier-ignore
      } else {
        await run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', `${name}.csr`, '-subj', subject(spec.cn), ...san]); // prettier-ignore
        await run(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', cert, '-startdate', caDate(spec.notBefore), '-enddate', caDate(spec.notAfter)]); // prettier-ignore
      }
      out[name] = {
        cert: readFileSync(join(dir, cert), 'utf8'),
        key: readFileSync(join(dir, key), 'utf8'),
      };
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A date `days` from now (negative: in the past), to the second. */
export const daysFromNow = (days: number): Date =>
  new Date(Math.floor((Date.now() + days * DAY_MS) / 1000) * 1000);
