// A stand-in for nmap: a small shell script, alone on PATH, that writes down every argv it is given
// and then does what a test asks (fail, write a cut-off XML file, hang). It never sends a packet.
// With PATH holding only its folder, no real nmap (nor apt-get, nor sudo) can be found.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeNmap {
  /** The folder to use as PATH: it holds `nmap` and nothing else. */
  dir: string;
  /** Every argv nmap was started with, one call per entry, `--version` included. */
  calls(): string[][];
  /** The environment for runAction: PATH is the fake's folder alone. */
  env: Record<string, string>;
  remove(): void;
}

/** A single-quoted shell word. */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

const VERSION = 'Nmap version 7.93 ( https://nmap.org )';

/**
 * `then` is shell run after the argv is logged; `$xml` holds the `-oX` path of a scan. When
 * `answerVersion` is true, `nmap --version` answers like nmap 7.93 before `then` runs.
 */
export function fakeNmap(then: string, answerVersion = true): FakeNmap {
  const dir = mkdtempSync(join(tmpdir(), 'port-drift-fake-nmap-'));
  const log = join(dir, 'calls.log');
  const script = [
    '#!/bin/sh',
    // One call per line, its arguments separated by a unit separator (\037).
    `first=1; for a in "$@"; do if [ $first = 1 ]; then first=0; else printf '\\037' >> ${shellQuote(log)}; fi; printf '%s' "$a" >> ${shellQuote(log)}; done; printf '\\n' >> ${shellQuote(log)}`,
    answerVersion ? `if [ "$1" = "--version" ]; then echo ${shellQuote(VERSION)}; exit 0; fi` : '',
    'xml=""; prev=""',
    'for a in "$@"; do if [ "$prev" = "-oX" ]; then xml="$a"; fi; prev="$a"; done',
    then,
    '',
  ].join('\n');
  const path = join(dir, 'nmap');
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return {
    dir,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => l.split('\x1f'))
        : [],
    env: { PATH: dir },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
