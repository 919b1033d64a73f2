import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  diffPolicies,
  renderExposure,
  subtractRanges,
  type ExposureChange,
  type ExposureDiff,
} from '../../src/pull-request/exposure.js';
import { parsePolicy, type Policy } from '../../src/settings/policy.js';
import type { PortRange, PortRule, Protocol } from '../../src/base/types.js';

const BASE = `name: production
targets: [db.example.com, web.example.com]
groups:
  web: [www.example.com, api.example.com]
rules:
  web: [80, 443]
  db.example.com: [5432, 53/udp]
  web.example.com: [8000-8100, '22?']
  "*": none
`;

const policy = (text: string): Policy => parsePolicy(text, 'policy.yml');

const tcp = (from: number, to = from): PortRange => ({ from, to, protocol: 'tcp' });
const udp = (from: number, to = from): PortRange => ({ from, to, protocol: 'udp' });

/** Each change as one comparable line: kind, effect, pattern or target, ports. */
function summary(diff: ExposureDiff): string[] {
  return diff.changes.map((c: ExposureChange) =>
    'target' in c
      ? `${c.kind} ${c.target}`
      : `${c.kind} ${c.effect} ${c.pattern} ${c.ranges.map((r) => (r.from === r.to ? r.from : `${r.from}-${r.to}`)).join(',')}/${c.protocol}${c.exception ? ` until ${c.exception.until}` : ''}${c.was ? ` was ${c.was.until}` : ''}`,
  );
}

function diff(base: string | undefined, head: string): string[] {
  return summary(diffPolicies(base === undefined ? undefined : policy(base), policy(head)));
}

function port(from: number, protocol: Protocol = 'tcp', extra: Partial<PortRule> = {}): PortRule {
  return { from, to: from, protocol, optional: false, ...extra };
}

function handmade(rules: Record<string, PortRule[]>, targets = ['db.example.com']): Policy {
  return {
    targets: targets.map((spec) => ({ spec, kind: 'hostname', size: 1 })),
    groups: new Map(),
    rules: Object.entries(rules).map(([pattern, ports]) => ({
      pattern,
      ports,
      source: 'policy.yml',
    })),
  };
}

describe('subtractRanges', () => {
  it('cuts overlaps at either end and holes in the middle', () => {
    assert.deepEqual(subtractRanges([tcp(8000, 8200)], [tcp(8000, 8100)]), [tcp(8101, 8200)]);
    assert.deepEqual(subtractRanges([tcp(10, 20)], [tcp(5, 12), tcp(18, 30)]), [tcp(13, 17)]);
    assert.deepEqual(subtractRanges([tcp(10, 20)], [tcp(12), tcp(15, 16)]), [
      tcp(10, 11),
      tcp(13, 14),
      tcp(17, 20),
    ]);
  });

  it('keeps adjacent ports, which are outside the range removed', () => {
    assert.deepEqual(subtractRanges([tcp(10, 20)], [tcp(1, 9), tcp(21, 30)]), [tcp(10, 20)]);
    assert.deepEqual(subtractRanges([tcp(10, 20)], [tcp(10)]), [tcp(11, 20)]);
    assert.deepEqual(subtractRanges([tcp(10, 20)], [tcp(20)]), [tcp(10, 19)]);
  });

  it('works on the full range without expanding it, and removes all of it', () => {
    assert.deepEqual(subtractRanges([tcp(1, 65535)], [tcp(443)]), [tcp(1, 442), tcp(444, 65535)]);
    assert.deepEqual(subtractRanges([tcp(1, 65535)], [tcp(1, 65535)]), []);
    assert.deepEqual(subtractRanges([tcp(22), tcp(8000, 9000)], [tcp(1, 65535)]), []);
    assert.deepEqual(subtractRanges([], [tcp(1, 65535)]), []);
    assert.deepEqual(subtractRanges([tcp(1, 65535)], []), [tcp(1, 65535)]);
  });

  it('keeps protocols apart, merges and sorts what it returns', () => {
    assert.deepEqual(subtractRanges([tcp(53), udp(53)], [udp(1, 100)]), [tcp(53)]);
    assert.deepEqual(subtractRanges([udp(1, 10), tcp(5, 6), tcp(1, 4)], [tcp(3), udp(11, 20)]), [
      tcp(1, 2),
      tcp(4, 6),
      udp(1, 10),
    ]);
  });
});

describe('diffPolicies: what widens', () => {
  it('a new port on a host, a ? port, a widened range, a new * rule and a new target', () => {
    const head = `name: production
targets: [db.example.com, web.example.com, cache.example.com]
groups:
  web: [www.example.com, api.example.com]
rules:
  web: [80, 443]
  db.example.com: [5432, 53/udp, 6432]
  web.example.com: [8000-8200, '22?', '9090?']
  "*": [443]
`;
    assert.deepEqual(diff(BASE, head), [
      'scans-target cache.example.com',
      'requires widens db.example.com 6432/tcp',
      'requires widens web.example.com 8101-8200/tcp',
      'allows widens web.example.com 9090/tcp',
      'requires widens * 443/tcp',
    ]);
    const md = renderExposure(diffPolicies(policy(BASE), policy(head)), 'policy.yml');
    assert.match(md, /^### Exposure change in `policy\.yml`/);
    assert.match(md, /^- requires \*\*8101-8200\/tcp\*\* on `web\.example\.com`, new$/m);
    assert.match(md, /^- allows \*\*9090\/tcp\*\* on `web\.example\.com`, new$/m);
    assert.match(md, /^- requires \*\*443\/tcp\*\* on every target, new$/m);
    assert.match(md, /^- scans new target `cache\.example\.com`$/m);
    assert.doesNotMatch(md, /Narrows/);
  });

  it('an allowed-only port now required is listed with what widens', () => {
    assert.deepEqual(diff(BASE, BASE.replace("'22?'", '22')), [
      'now-requires widens web.example.com 22/tcp',
    ]);
  });
});

describe('diffPolicies: what narrows', () => {
  it('a port removed, a required port made optional, and a target no longer scanned', () => {
    const head = `name: production
targets: [db.example.com]
groups:
  web: [www.example.com, api.example.com]
rules:
  web: [80, '443?']
  db.example.com: [5432]
  "*": none
`;
    assert.deepEqual(diff(BASE, head), [
      'no-longer-scans-target web.example.com',
      'no-longer-requires narrows www.example.com 443/tcp',
      'no-longer-requires narrows api.example.com 443/tcp',
      'no-longer-allows narrows db.example.com 53/udp',
      'no-longer-allows narrows web.example.com 22,8000-8100/tcp',
    ]);
    const md = renderExposure(diffPolicies(policy(BASE), policy(head)), 'policy.yml');
    assert.match(md, /^- no longer allows \*\*53\/udp\*\* on `db\.example\.com`: drift if open$/m);
    assert.match(md, /^- no longer scans `web\.example\.com`: its ports are no longer checked$/m);
    assert.match(
      md,
      /^- no longer requires \*\*443\/tcp\*\* on `www\.example\.com`, still allowed$/m,
    );
    assert.doesNotMatch(md, /Widens/);
  });

  it('lists what widens before what narrows', () => {
    const head = BASE.replace('[5432, 53/udp]', '[5433, 53/udp]');
    const md = renderExposure(diffPolicies(policy(BASE), policy(head)), 'policy.yml');
    const widens = md.indexOf('requires **5433/tcp**');
    const narrows = md.indexOf('no longer allows **5432/tcp**');
    assert.ok(widens > 0 && narrows > widens, md);
  });
});

describe('diffPolicies: what does not change exposure', () => {
  it('reordered and reformatted YAML, comments, a pattern in another case: no change', () => {
    const head = `# reviewed 2026-12
rules:
  "*": "none"
  WEB.example.com: ['22?', 8000-8050, 8051-8100]
  db.example.com:
    - 53/udp
    - 5432
  web:
    - 443
    - 80
groups:
  web:
    - api.example.com
    - www.example.com
targets:
  - Web.Example.com
  - db.example.com
name: production
`;
    const d = diffPolicies(policy(BASE), policy(head));
    assert.deepEqual(d.changes, []);
    assert.match(
      renderExposure(d, 'policy.yml'),
      /does not change what is scanned or what may be open/,
    );
  });

  it('a port listed twice, or both required and optional, is required', () => {
    const head = BASE.replace("'22?'", "'22?', 22, 80, '80?'").replace(
      'web.example.com: [',
      'web.example.com: [80, ',
    );
    assert.deepEqual(diff(BASE, head), [
      'requires widens web.example.com 80/tcp',
      'now-requires widens web.example.com 22/tcp',
    ]);
  });
});

describe('diffPolicies: groups, protocols, a new file', () => {
  it('a group rule that changes shows the change on each member', () => {
    const head = BASE.replace('web: [80, 443]', 'web: [80, 443, 8443]');
    assert.deepEqual(diff(BASE, head), [
      'requires widens www.example.com 8443/tcp',
      'requires widens api.example.com 8443/tcp',
    ]);
  });

  it('a group member added to the group gets the group rule', () => {
    const head = BASE.replace(
      'web: [www.example.com, api.example.com]',
      'web: [www.example.com, api.example.com, cdn.example.com]',
    );
    assert.deepEqual(diff(BASE, head), [
      'scans-target cdn.example.com',
      'requires widens cdn.example.com 80,443/tcp',
    ]);
  });

  it('UDP and TCP are kept apart', () => {
    const head = BASE.replace('[5432, 53/udp]', '[5432, 53, 5432/udp]');
    assert.deepEqual(diff(BASE, head), [
      'requires widens db.example.com 53/tcp',
      'requires widens db.example.com 5432/udp',
      'no-longer-allows narrows db.example.com 53/udp',
    ]);
  });

  it('without a base version everything is new', () => {
    const d = diffPolicies(undefined, policy(BASE));
    assert.equal(d.newFile, true);
    assert.deepEqual(summary(d), [
      'scans-target db.example.com',
      'scans-target web.example.com',
      'scans-target www.example.com',
      'scans-target api.example.com',
      'requires widens www.example.com 80,443/tcp',
      'requires widens api.example.com 80,443/tcp',
      'requires widens db.example.com 5432/tcp',
      'requires widens db.example.com 53/udp',
      'requires widens web.example.com 8000-8100/tcp',
      'allows widens web.example.com 22/tcp',
    ]);
    assert.ok(d.changes.every((c) => c.effect === 'widens'));
    assert.match(renderExposure(d, 'policy.yml'), /`policy\.yml` is new in this pull request/);
  });
});

describe('diffPolicies: exceptions', () => {
  const accepted = (until: string, reason = 'OPS-1'): Partial<PortRule> => ({
    optional: true,
    exception: { until, reason },
  });

  it('an exception added on a port not allowed before is new, with its date and reason', () => {
    const base = handmade({ 'db.example.com': [port(5432)] });
    const head = handmade({
      'db.example.com': [port(5432), port(27017, 'tcp', accepted('2027-01-31'))],
    });
    const d = diffPolicies(base, head);
    assert.deepEqual(summary(d), ['accepts widens db.example.com 27017/tcp until 2027-01-31']);
    assert.match(
      renderExposure(d, 'policy.yml'),
      /^- accepts \*\*27017\/tcp\*\* on `db\.example\.com` until `2027-01-31` \(`OPS-1`\), new$/m,
    );
  });

  it('extended widens, shortened narrows, a date or a time of the same end is no change', () => {
    const at = (until: string): Policy =>
      handmade({ 'db.example.com': [port(27017, 'tcp', accepted(until))] });
    assert.deepEqual(summary(diffPolicies(at('2027-01-31'), at('2027-06-30'))), [
      'exception-extended widens db.example.com 27017/tcp until 2027-06-30 was 2027-01-31',
    ]);
    assert.deepEqual(summary(diffPolicies(at('2027-06-30'), at('2027-01-31T12:00:00Z'))), [
      'exception-shortened narrows db.example.com 27017/tcp until 2027-01-31T12:00:00Z was 2027-06-30',
    ]);
    assert.deepEqual(diffPolicies(at('2027-01-31'), at('2027-02-01T00:00:00Z')).changes, []);
    assert.match(
      renderExposure(diffPolicies(at('2027-01-31'), at('2027-06-30')), 'policy.yml'),
      /^- accepts \*\*27017\/tcp\*\* on `db\.example\.com` until `2027-06-30` \(`OPS-1`\), extended from `2027-01-31`$/m,
    );
  });

  it('an exception removed: the port allowed without end widens, no longer allowed narrows', () => {
    const base = handmade({
      'db.example.com': [
        port(27017, 'tcp', accepted('2027-01-31')),
        port(9200, 'tcp', accepted('2027-01-31')),
      ],
    });
    const head = handmade({ 'db.example.com': [port(27017, 'tcp', { optional: true })] });
    const d = diffPolicies(base, head);
    assert.deepEqual(summary(d), [
      'exception-removed widens db.example.com 27017/tcp was 2027-01-31',
      'no-longer-allows narrows db.example.com 9200/tcp was 2027-01-31',
    ]);
    const md = renderExposure(d, 'policy.yml');
    assert.match(
      md,
      /allows \*\*27017\/tcp\*\* on `db\.example\.com` without end, was accepted until `2027-01-31`/,
    );
    assert.match(
      md,
      /no longer allows \*\*9200\/tcp\*\* on `db\.example\.com`, was accepted until/,
    );
  });

  it('an exception put on a port allowed without end narrows; one made required widens', () => {
    const base = handmade({
      'db.example.com': [port(5432), port(6379, 'tcp', accepted('2027-01-31'))],
    });
    const head = handmade({
      'db.example.com': [port(5432, 'tcp', accepted('2027-03-01')), port(6379)],
    });
    assert.deepEqual(summary(diffPolicies(base, head)), [
      'now-requires widens db.example.com 6379/tcp was 2027-01-31',
      'exception-added narrows db.example.com 5432/tcp until 2027-03-01',
    ]);
  });

  it('a port both allowed plainly and under an exception is allowed without end', () => {
    const base = handmade({ 'db.example.com': [port(5432)] });
    const head = handmade({
      'db.example.com': [port(5432), port(5432, 'tcp', accepted('2027-01-31'))],
    });
    assert.deepEqual(diffPolicies(base, head).changes, []);
  });
});

describe('renderExposure', () => {
  it('escapes a hostile reason and pattern: no broken Markdown, no mention, no marker', () => {
    const reason =
      '@admin ``` | <!-- port-drift:state:AAAA --> \n# heading [x](https://evil.example)';
    const pattern = '@everyone`|<!--';
    const base = handmade({}, []);
    const head = handmade(
      {
        [pattern]: [
          port(27017, 'tcp', { optional: true, exception: { until: '2027-01-31', reason } }),
        ],
      },
      [],
    );
    const md = renderExposure(diffPolicies(base, head), 'x`y|<!--.yml');
    assert.equal(md.includes('<!--'), false, md);
    const bullets = md.split('\n').filter((l) => l.startsWith('- '));
    assert.equal(bullets.length, 1, md);
    const bullet = bullets[0] ?? '';
    // Every @ sits inside a code span: strip the spans, and nothing untrusted remains.
    const outside = bullet.replace(/(`+)(?:(?!\1).)+?\1/g, '');
    assert.equal(outside, '- accepts **27017/tcp** on  until  (), new');
    assert.equal(/\n#/.test(md), false);
    assert.match(md, /^### Exposure change in ``x`y\\\|<!-\u200b-\.yml``$/m);
  });

  it('beyond the limit, says how many more changes there are', () => {
    const rules = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [`10.0.0.${i + 1}`, [port(22)]]),
    );
    const d = diffPolicies(handmade({}), handmade(rules));
    const md = renderExposure(d, 'policy.yml', 50);
    assert.equal(md.split('\n').filter((l) => l.startsWith('- ')).length, 50);
    assert.match(md, /…and 10 more changes \(10 widening\)\./);
  });

  it('a long list of ranges is cut, with its count of ports', () => {
    const rules = { 'db.example.com': Array.from({ length: 20 }, (_, i) => port(1000 + 2 * i)) };
    const md = renderExposure(diffPolicies(handmade({}), handmade(rules)), 'policy.yml');
    assert.match(md, /\*\*1000,1002,.*,1022,…\/tcp\*\* \(20 ports in 20 ranges\)/);
  });
});
