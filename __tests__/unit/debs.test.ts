// The pure parts of nmap's package cache (src/nmap/debs.ts): reading apt's and dpkg's stanzas, the
// file names apt gives packages, and the runner image the cache key names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { debFileName, imageOf, parseStanzas } from '../../src/nmap/debs.js';

describe("nmap's package cache", () => {
  it('reads each stanza of apt-cache show, fields and values as written', () => {
    const out = [
      'Package: nmap',
      'Version: 7.93+dfsg1-1',
      'Architecture: amd64',
      'Description-en: The Network Mapper',
      ' Nmap is a utility for network exploration.',
      'SHA256: 1ac65a0a1038ffa8de7ee13a146c4cbb9dac3180c7faef703f3efb3adad098b2',
      '',
      'Package: nmap-common',
      'Version: 7.93+dfsg1-1',
      'Architecture: all',
      'SHA256: 81273be68b5857e570cc929f95a6261a61ab7c6a534191fcf5e7a9624d745b68',
      '',
    ].join('\n');
    const stanzas = parseStanzas(out);
    assert.equal(stanzas.length, 2);
    assert.equal(stanzas[0]?.['Package'], 'nmap');
    assert.equal(
      stanzas[0]?.['SHA256'],
      '1ac65a0a1038ffa8de7ee13a146c4cbb9dac3180c7faef703f3efb3adad098b2',
    );
    // A continuation line is not a field of its own.
    assert.equal(stanzas[0]?.['Description-en'], 'The Network Mapper');
    assert.deepEqual(Object.keys(stanzas[1] ?? {}), [
      'Package',
      'Version',
      'Architecture',
      'SHA256',
    ]);
    assert.deepEqual(parseStanzas('\n\n'), []);
  });

  it("names a package file as apt does, the epoch's colon written %3a", () => {
    assert.equal(debFileName('nmap', '7.93+dfsg1-1', 'amd64'), 'nmap_7.93+dfsg1-1_amd64.deb');
    assert.equal(debFileName('libpcre3', '2:8.39-15', 'amd64'), 'libpcre3_2%3a8.39-15_amd64.deb');
  });

  it('keys by the hosted runner image, else by the system release, with nothing a key may not hold', async () => {
    assert.equal(
      await imageOf({ ImageOS: 'ubuntu24', ImageVersion: '20250105.1.0' }),
      'ubuntu24-20250105.1.0',
    );
    assert.equal(await imageOf({ ImageOS: 'a,b', ImageVersion: '1 2' }), 'a_b-1_2');
    // Without them (a self-hosted runner): ID and VERSION_ID of /etc/os-release.
    assert.match(await imageOf({}), /^[A-Za-z0-9._+-]+-[A-Za-z0-9._+-]+$/);
  });
});
