// The files a user's glob names (`xml`, `results`): found sorted, folders left out, and never
// through a symbolic link, whichever input names them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigurationError } from '../../src/base/errors.js';
import { globUserFiles, readGlobbedFile } from '../../src/base/user-files.js';
import { readResults } from '../../src/report/merge.js';
import { readXmlScan } from '../../src/scan/xml-scan.js';
import type { Settings } from '../../src/settings/settings.js';

let work: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'port-drift-user-files-'));
  mkdirSync(join(work, 'real', 'inner'), { recursive: true });
  writeFileSync(join(work, 'real', 'b.xml'), 'b');
  writeFileSync(join(work, 'real', 'a.xml'), 'a');
  writeFileSync(join(work, 'real', 'inner', 'c.xml'), 'c');
  mkdirSync(join(work, 'real', 'folder.xml'));
  writeFileSync(join(work, 'secret'), 'not for the run');
  mkdirSync(join(work, 'links'));
  symlinkSync(join(work, 'secret'), join(work, 'links', 'one.xml'));
  // A linked folder: the glob does not enter it.
  symlinkSync(join(work, 'real'), join(work, 'links', 'dir'));
});

after(() => rmSync(work, { recursive: true, force: true }));

const refusedLink = (input: string, file: string) => (error: unknown) => {
  assert.ok(error instanceof ConfigurationError);
  assert.equal(
    error.message,
    `Input '${input}': ${file} is a symbolic link, which is not followed: name the file itself`,
  );
  return true;
};

describe('a user glob', () => {
  it('names the regular files it matches, sorted, without folders', async () => {
    assert.deepEqual(await globUserFiles('xml', join(work, 'real', '*.xml')), [
      join(work, 'real', 'a.xml'),
      join(work, 'real', 'b.xml'),
    ]);
    assert.deepEqual(await globUserFiles('xml', join(work, 'real', '**', '*.xml')), [
      join(work, 'real', 'a.xml'),
      join(work, 'real', 'b.xml'),
      join(work, 'real', 'inner', 'c.xml'),
    ]);
    assert.equal(await readGlobbedFile('xml', join(work, 'real', 'a.xml')), 'a');
  });

  it('reads one pattern a line, leaves out what a `!` line matches, and skips `#` comments', async () => {
    const lines = [
      '# the shards',
      join(work, 'real', '*.xml'),
      '',
      `  ${join(work, 'real', 'inner', '*.xml')}  `,
      `!${join(work, 'real', 'b.xml')}`,
    ].join('\n');
    assert.deepEqual(await globUserFiles('xml', lines), [
      join(work, 'real', 'a.xml'),
      join(work, 'real', 'inner', 'c.xml'),
    ]);
    assert.deepEqual(await globUserFiles('xml', `!${join(work, 'real', '*.xml')}`), []);
  });

  it('is empty when nothing matches', async () => {
    assert.deepEqual(await globUserFiles('results', join(work, 'none', '*.json')), []);
  });

  it('does not enter a linked folder, even the one its wildcards start in', async () => {
    assert.deepEqual(await globUserFiles('xml', join(work, 'links', '**', 'c.xml')), []);
    assert.deepEqual(await globUserFiles('xml', join(work, 'links', 'dir', '*.xml')), []);
  });

  it('follows the links above where its wildcards start, as the system does (/var/run, /tmp)', async () => {
    symlinkSync(work, join(work, 'alias'));
    assert.deepEqual(await globUserFiles('xml', join(work, 'alias', 'real', '*.xml')), [
      join(work, 'alias', 'real', 'a.xml'),
      join(work, 'alias', 'real', 'b.xml'),
    ]);
    // A file named whole, through a linked folder above it, as @actions/glob found it.
    assert.deepEqual(await globUserFiles('xml', join(work, 'links', 'dir', 'a.xml')), [
      join(work, 'links', 'dir', 'a.xml'),
    ]);
  });

  it('refuses to read a matched link, naming it and the input', async () => {
    const link = join(work, 'links', 'one.xml');
    assert.deepEqual(await globUserFiles('xml', join(work, 'links', '*.xml')), [link]);
    await assert.rejects(readGlobbedFile('xml', link), refusedLink('xml', link));
  });

  it('is the same for nmap XML files and shard results', async () => {
    const link = join(work, 'links', 'one.xml');
    const settings = { xml: join(work, 'links', '*.xml'), targets: [] } as unknown as Settings;
    await assert.rejects(readXmlScan(settings), refusedLink('xml', link));
    await assert.rejects(readResults(join(work, 'links', '*.xml')), refusedLink('results', link));
  });
});
