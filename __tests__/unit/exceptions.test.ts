// Exceptions that expire: a port accepted until a date, with a reason. What a user relies on: it is
// not drift until then, it is named in a warning from 7 days before, it is drift again after (and
// says so), and record mode, the policy file and report.json keep it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../../src/base/errors.js';
import { acceptedPorts, findDrift } from '../../src/findings/drift.js';
import { formatPolicy, parsePolicy } from '../../src/settings/policy.js';
import { recordRules } from '../../src/findings/record.js';
import { buildReport, type Report, type ReportParts } from '../../src/report/report.js';
import { checkReport } from '../../src/report/schema.js';
import { renderText } from '../../src/report/text.js';
import { renderSummary } from '../../src/report/summary.js';
import { exceptionEnd, exceptionState, parseRules } from '../../src/settings/rules.js';
import type { FindingKind, Rule } from '../../src/base/types.js';
import { SCANNED, up } from '../helpers/reports.js';

const DAY = 24 * 3600 * 1000;
const at = (iso: string): number => Date.parse(iso);

const DB = '203.0.113.5';
const observed = [up(DB, ['db.example.com'], [{ port: 22 }, { port: 27017, service: 'mongodb' }])];

function reportParts(rules: Rule[], seen = observed): ReportParts {
  return {
    name: 'fleet',
    startedAt: '',
    finishedAt: '',
    rules,
    observed: seen,
    ports: SCANNED,
    failOn: new Set<FindingKind>(['unexpected-open', 'missing', 'host-down']),
    cancelled: false,
    scanned: { addresses: 1, tcpPorts: 30000, udpPorts: 0 },
    scan: { source: 'xml', runs: [] },
    settings: {
      name: 'fleet',
      mode: 'check',
      targets: ['db.example.com'],
      rules,
      ports: 'default',
      udpPorts: [],
      ipVersion: 'both',
      failOn: ['unexpected-open', 'missing', 'host-down'],
    },
    flapping: [],
  };
}

function reportAt(rules: Rule[], startedAt: string, finishedAt: string): Report {
  return buildReport({ ...reportParts(rules), startedAt, finishedAt });
}

describe('exception dates', () => {
  it('a date holds through that day in UTC; a time with its zone ends at that time', () => {
    assert.equal(exceptionEnd('2027-01-31'), at('2027-02-01T00:00:00Z'));
    assert.equal(exceptionEnd('2027-01-31T18:00:00+01:00'), at('2027-01-31T17:00:00Z'));
    assert.equal(exceptionEnd('2028-02-29'), at('2028-03-01T00:00:00Z'));
  });

  it('refuses what is not a date of the calendar, and a time without a zone', () => {
    for (const bad of [
      '2027-02-30',
      '2027-13-01',
      '31.01.2027',
      '2027-01-31T18:00',
      '2027-02-30T00:00:00Z',
      '2027-01-31T24:00:00Z',
      '2027-01-31T12:60:00Z',
      'tomorrow',
    ]) {
      assert.equal(typeof exceptionEnd(bad), 'string', bad);
    }
  });

  it('is active, then expiring within 7 days of its end, then expired at the end', () => {
    const e = { until: '2027-01-31', reason: 'OPS-1' };
    const end = at('2027-02-01T00:00:00Z');
    assert.equal(exceptionState(e, end - 8 * DAY), 'active');
    assert.equal(exceptionState(e, end - 7 * DAY), 'expiring');
    assert.equal(exceptionState(e, end - 1), 'expiring');
    assert.equal(exceptionState(e, end), 'expired');
  });
});

describe('exceptions in expected', () => {
  it('accepts every port of the line until the date, with the reason; # inside quotes stays', () => {
    const [rule] = parseRules(
      'expected',
      'db.example.com: 27017, 53/udp until 2027-01-31 "OPS-12 #4: approved by alice" # why',
    );
    assert.deepEqual(
      rule?.ports.map((p) => [p.from, p.protocol, p.optional, p.exception]),
      [
        [27017, 'tcp', true, { until: '2027-01-31', reason: 'OPS-12 #4: approved by alice' }],
        [53, 'udp', true, { until: '2027-01-31', reason: 'OPS-12 #4: approved by alice' }],
      ],
    );
  });

  it('refuses an exception without a reason, with a bad date, or on none, naming the line', () => {
    const cases: [string, RegExp][] = [
      ['db: 5432 until 2027-01-31', /line 1 .*gives no reason: say who accepted it and why/],
      ['db: 5432 until 2027-02-30 OPS-1', /line 1 .*'2027-02-30' is not a date of the calendar/],
      ['db: none until 2027-01-31 OPS-1', /line 1 .*'none' cannot have an exception/],
      ['db: 5432 until', /line 1 .*is not a date/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseRules('expected', text), message, text);
    }
  });

  it('refuses a reason made only of characters that show nothing, naming the line', () => {
    const blanks = [
      '\u200b',
      '\u200c\u200d',
      '\u2060',
      '\ufeff',
      '\u202e\u2066\u2069',
      '\u00a0\u3000',
      '"\u200b"',
      '\u3164',
      '\u2800',
    ];
    for (const blank of blanks) {
      assert.throws(
        () => parseRules('expected', `db: 22\ndb: 5432 until 2027-01-31 ${blank}`),
        (error: unknown) => {
          assert.ok(error instanceof ConfigurationError);
          assert.equal(error.input, 'expected');
          assert.match(
            error.message,
            /line 2 .*gives no reason( \(only characters that show nothing, such as zero-width spaces\))?: say who accepted it and why/,
          );
          return true;
        },
        JSON.stringify(blank),
      );
    }
    assert.throws(
      () => parseRules('expected', 'db: 5432 until 2027-01-31 \u200b\u200b'),
      /gives no reason \(only characters that show nothing, such as zero-width spaces\)/,
    );
    // A reason with something to read in it stands, invisible characters and all.
    const [rule] = parseRules('expected', 'db: 5432 until 2027-01-31 \u200bOPS-12');
    assert.equal(rule?.ports[0]?.exception?.reason, '\u200bOPS-12');
  });

  it("refuses '?' on a port of an exception, naming the line, the item and the fix", () => {
    for (const [text, item] of [
      ['db: 27017? until 2027-01-01 OPS-12', '27017?'],
      ['db: 22, 53/udp? until 2027-01-01 OPS-12', '53/udp?'],
    ]) {
      assert.throws(
        () => parseRules('expected', `# exceptions\n${text}`),
        (error: unknown) => {
          assert.ok(error instanceof ConfigurationError);
          assert.equal(error.input, 'expected');
          assert.ok(
            error.message.includes(
              `line 2 ('${text}'): '${item}' has an exception, which accepts its port until the date and never requires it: remove the '?'.`,
            ),
            error.message,
          );
          return true;
        },
      );
    }
  });

  it('keeps a reason on one line, whatever control characters it held', () => {
    const [rule] = parseRules('expected', 'db: 1 until 2027-01-31 "a\u0007b\u2028c"');
    assert.equal(rule?.ports[0]?.exception?.reason, 'a b c');
  });
});

describe('exceptions in the policy file', () => {
  const text = [
    'targets: [db.example.com]',
    'rules:',
    '  db.example.com:',
    '    - 22',
    "    - {port: 27017, until: 2027-01-31, reason: 'OPS-12: approved by alice'}",
    '',
  ].join('\n');

  it('reads {port, until, reason} beside plain ports, and writes it back the same', () => {
    const policy = parsePolicy(text, 'ports.yml');
    const ports = policy.rules[0]?.ports ?? [];
    assert.deepEqual(ports[1]?.exception, {
      until: '2027-01-31',
      reason: 'OPS-12: approved by alice',
    });
    const again = parsePolicy(
      formatPolicy({ targets: ['db.example.com'], rules: policy.rules }),
      'again.yml',
    );
    assert.deepEqual(
      again.rules.map((r) => r.ports),
      policy.rules.map((r) => r.ports),
    );
  });

  it("refuses 'none' beside an exception: a rule with an exception has ports", () => {
    assert.throws(
      () =>
        parsePolicy(
          'targets: [db]\nrules:\n  db: [none, {port: 1, until: 2027-01-31, reason: x}]\n',
          'ports.yml',
        ),
      /ports\.yml:3, key 'rules\.db': 'none' stands alone/,
    );
  });

  it('names the file, the line and the key of a bad exception', () => {
    const bad = (item: string): string => `targets: [db]\nrules:\n  db:\n    - 22\n    - ${item}\n`;
    const cases: [string, RegExp][] = [
      [
        '{port: 1, until: 2027-01-31}',
        /ports\.yml:5, key 'rules\.db\.reason': an exception needs its reason/,
      ],
      [
        '{port: 1, reason: x}',
        /ports\.yml:5, key 'rules\.db\.until': an exception needs its until/,
      ],
      ['{port: 1, until: 2027-01-31, reason: x, owner: y}', /key 'rules\.db\.owner': unknown key/],
      ['{until: 2027-01-31, reason: x}', /key 'rules\.db\.port': an exception names its port/],
      ['{port: 1, until: soon, reason: x}', /key 'rules\.db\.until': 'soon' is not a date/],
      [
        "{port: 1, until: 2027-01-31, reason: ' '}",
        /key 'rules\.db\.reason': an exception needs its reason/,
      ],
      [
        '{port: 1, until: 2027-01-31, reason: "\\u200b\\u2060\\ufeff"}',
        /ports\.yml:5, key 'rules\.db\.reason': an exception needs its reason: who accepted it and why \(this one holds only characters that show nothing/,
      ],
      [
        '{port: 1, until: 2027-01-31, reason: \u200b}',
        /ports\.yml:5, key 'rules\.db\.reason': an exception needs its reason/,
      ],
      [
        "{port: '27017?', until: 2027-01-31, reason: x}",
        /ports\.yml:5, key 'rules\.db\.port': '27017\?': an exception accepts its port until the date and never requires it, so its port takes no '\?': remove it/,
      ],
      [
        "{port: [22, '53/udp?'], until: 2027-01-31, reason: x}",
        /ports\.yml:5, key 'rules\.db\.port': '53\/udp\?'/,
      ],
    ];
    for (const [item, message] of cases) {
      assert.throws(() => parsePolicy(bad(item), 'ports.yml'), message, item);
    }
  });
});

describe('judging an exception', () => {
  const rules = parseRules(
    'expected',
    'db.example.com: 22\ndb.example.com: 27017 until 2027-01-31 OPS-12',
  );

  it('before its end: the open port is accepted, not drift, and listed with its reason', () => {
    const now = at('2027-01-20T00:00:00Z');
    assert.deepEqual(findDrift(rules, observed, SCANNED, now), []);
    assert.deepEqual(
      acceptedPorts(rules, observed, now).map((a) => [
        a.address,
        a.port,
        a.until,
        a.reason,
        a.source,
      ]),
      [[DB, 27017, '2027-01-31', 'OPS-12', 'expected line 2']],
    );
  });

  it('after its end: unexpected-open again, carrying the exception that ended', () => {
    const findings = findDrift(rules, observed, SCANNED, at('2027-02-01T00:00:00Z'));
    assert.deepEqual(
      findings.map((f) => [f.kind, f.port, f.expiredException]),
      [
        [
          'unexpected-open',
          27017,
          { until: '2027-01-31', reason: 'OPS-12', source: 'expected line 2' },
        ],
      ],
    );
    assert.deepEqual(acceptedPorts(rules, observed, at('2027-02-01T00:00:00Z')), []);
  });

  it('a port another rule allows for good is not listed as accepted, nor drift when it ends', () => {
    const both = [...rules, ...parseRules('expected', '*: 27017?')];
    assert.deepEqual(acceptedPorts(both, observed, at('2027-01-20T00:00:00Z')), []);
    assert.deepEqual(findDrift(both, observed, SCANNED, at('2027-03-01T00:00:00Z')), []);
  });

  it('is judged when the scan finishes: one that ends during the run no longer holds', () => {
    const during = parseRules(
      'expected',
      'db.example.com: 22\ndb.example.com: 27017 until 2027-01-31T12:00:30Z OPS-12',
    );
    const report = reportAt(during, '2027-01-31T12:00:00.000Z', '2027-01-31T12:01:00.000Z');
    assert.deepEqual(
      report.findings.map((f) => [f.kind, f.port, f.expiredException?.until]),
      [['unexpected-open', 27017, '2027-01-31T12:00:30Z']],
    );
    assert.equal(report.verdict.failed, true);
    assert.deepEqual(
      report.exceptions.map((e) => [e.pattern, e.ports.from, e.state]),
      [['db.example.com', 27017, 'expired']],
    );
  });
});

describe('the summary of exceptions', () => {
  const rules = parseRules(
    'expected',
    'db.example.com: 22\ndb.example.com: 27017 until 2027-01-31 OPS-12 `x`|y',
  );

  it('lists accepted ports under "Accepted until", and an exception ending within 7 days', () => {
    const md = renderSummary(
      reportAt(rules, '2027-01-28T00:00:00Z', '2027-01-28T00:01:00Z'),
      'r.json',
    );
    assert.match(md, /^## ✅ No drift: `fleet`/m);
    assert.match(
      md,
      /^### Accepted until `2027-01-31`: 1 open port an exception allows \(not drift\)$/m,
    );
    assert.match(
      md,
      /\| `db\.example\.com` \| `203\.0\.113\.5` \| 27017\/tcp \| `2027-01-31` \| ``OPS-12 `x`\\\|y`` \|/,
    );
    assert.match(md, /^- ⚠️ ends `2027-01-31`: 27017\/tcp on `db\.example\.com`/m);
  });

  it('marks a finding whose exception ended, and says what to do', () => {
    const md = renderSummary(
      reportAt(rules, '2027-02-02T00:00:00Z', '2027-02-02T00:01:00Z'),
      'r.json',
    );
    assert.match(md, /\*\*unexpected-open\*\* \(exception ended `2027-01-31`\)/);
    assert.match(md, /^- ended `2027-01-31`: 27017\/tcp on `db\.example\.com`/m);
    assert.match(md, /^### What to do$/m);
    assert.match(md, /The exception that accepted this port until 2027-01-31 has ended: renew it/);
  });
});

describe('record mode and exceptions', () => {
  const previous = parseRules('expected', 'db.example.com: 27017 until 2027-01-31 OPS-12');

  it('keeps an exception in force for the port it accepts; the rest is required', () => {
    const targets = [{ spec: 'db.example.com', kind: 'hostname' as const, size: 1 }];
    const recorded = recordRules(targets, observed, {
      previous,
      now: at('2027-01-20T00:00:00Z'),
    });
    assert.deepEqual(
      recorded.flatMap((r) =>
        r.ports.map((p) => [r.pattern, p.from, p.optional, p.exception?.until]),
      ),
      [
        ['db.example.com', 22, false, undefined],
        ['db.example.com', 27017, true, '2027-01-31'],
      ],
    );
    // The recorded policy, written and read back, passes its own scan until the date.
    const reread = parsePolicy(
      formatPolicy({ targets: ['db.example.com'], rules: recorded }),
      'p.yml',
    );
    assert.deepEqual(findDrift(reread.rules, observed, SCANNED, at('2027-01-20T00:00:00Z')), []);
  });

  it('never makes the port of an exception that has ended required: it keeps the exception, date and reason', () => {
    const targets = [{ spec: 'db.example.com', kind: 'hostname' as const, size: 1 }];
    const now = at('2027-03-01T00:00:00Z');
    const recorded = recordRules(targets, observed, { previous, now });
    assert.deepEqual(
      recorded.flatMap((r) =>
        r.ports.map((p) => [
          r.pattern,
          p.from,
          p.optional,
          p.exception?.until,
          p.exception?.reason,
        ]),
      ),
      [
        ['db.example.com', 22, false, undefined, undefined],
        ['db.example.com', 27017, true, '2027-01-31', 'OPS-12'],
      ],
    );
    // Written and read back, the policy still reports the open port under its ended exception.
    const reread = parsePolicy(
      formatPolicy({ targets: ['db.example.com'], rules: recorded }),
      'p.yml',
    );
    assert.deepEqual(
      findDrift(reread.rules, observed, SCANNED, now).map((f) => [
        f.kind,
        f.port,
        f.expiredException?.until,
      ]),
      [['unexpected-open', 27017, '2027-01-31']],
    );
  });

  it('records an open port that a plain rule allows beside an ended exception as that rule does', () => {
    const targets = [{ spec: 'db.example.com', kind: 'hostname' as const, size: 1 }];
    const both = parseRules(
      'expected',
      'db.example.com: 27017 until 2027-01-31 OPS-12\ndb.example.com: 27017',
    );
    const recorded = recordRules(targets, observed, {
      previous: both,
      now: at('2027-03-01T00:00:00Z'),
    });
    assert.ok(recorded.every((r) => r.ports.every((p) => !p.exception && !p.optional)));
  });
});

describe('exceptions elsewhere', () => {
  const rules = parseRules(
    'expected',
    'db.example.com: 22\ndb.example.com: 27017 until 2027-01-31 OPS-12\ndb.example.com: 6379 until 2027-01-31T06:00:00Z OPS-13',
  );
  const cacheToo = [up(DB, ['db.example.com'], [{ port: 22 }, { port: 27017 }, { port: 6379 }])];

  it('"Accepted until" names the exception that ends first, by time, not by text', () => {
    const r = buildReport({
      ...reportParts(rules, cacheToo),
      startedAt: '2027-01-01T00:00:00Z',
      finishedAt: '2027-01-01T00:01:00Z',
    });
    assert.match(
      renderSummary(r, 'r.json'),
      /^### Accepted until `2027-01-31T06:00:00Z` or later: 2 open ports/m,
    );
  });

  it('the text output lists accepted ports, ending exceptions and an ended one', () => {
    const soon = reportAt(rules, '2027-01-28T00:00:00Z', '2027-01-28T00:01:00Z');
    const text = renderText(soon, 'r.json');
    assert.match(text, /^Accepted by an exception \(not drift\): 1$/m);
    assert.match(
      text,
      /^Exception ending 2027-01-31: 27017\/tcp on db\.example\.com \(expected line 2, OPS-12\)$/m,
    );
    const late = renderText(
      reportAt(rules, '2027-02-02T00:00:00Z', '2027-02-02T00:01:00Z'),
      'r.json',
    );
    assert.match(late, /exception ended \(until 2027-01-31: OPS-12; expected line 2\)/);
    assert.match(late, /^- The exception that accepted this port until 2027-01-31 has ended/m);
  });

  it('a report.json of an earlier version, without them, is still read (for a merge)', () => {
    const r = reportAt(rules, '2027-01-28T00:00:00Z', '2027-01-28T00:01:00Z');
    const older = JSON.parse(JSON.stringify(r)) as Partial<Report>;
    delete older.accepted;
    delete older.exceptions;
    const read = checkReport(older);
    assert.deepEqual([read.accepted, read.exceptions], [[], []]);
  });
});
