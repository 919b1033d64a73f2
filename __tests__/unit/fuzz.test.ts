// Fuzzing the readers of untrusted text: nmap XML (written by a scan of hosts we do not control, or
// brought by a user), the rule grammar of `expected`, and policy files (which a pull request may
// change). Random and mutated inputs must never crash them: each parses, or gives a clear error of
// the kind the action shows as one line. And untrusted text in a Markdown code span can never
// leave it. Fixed seeds and bounded runs: the same inputs on every run, and a failure replays.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ConfigurationError } from '../../src/base/errors.js';
import { decodeText, parseNmapXml } from '../../src/nmap/parse.js';
import { formatPolicy, parsePolicy } from '../../src/settings/policy.js';
import { code } from '../../src/base/markdown.js';
import { slackCode } from '../../src/notify/slack-message.js';
import { parsePattern, parseRulePorts, parseRules } from '../../src/settings/rules.js';
import { canonicalIp, classifyTarget, parseTargets } from '../../src/settings/targets.js';
import { outsideCodeSpans } from '../helpers/markdown.js';
import { fixturesDir, sharedDir } from '../helpers/paths.js';

const SEED = 20261127;
const run = (numRuns: number) => ({ seed: SEED, numRuns });

const corpusDir = join(sharedDir, 'corpus/nmap-xml');
const corpus = existsSync(corpusDir)
  ? readdirSync(corpusDir)
      .filter((f) => f.endsWith('.xml'))
      .map((f) => ({ name: f, xml: readFileSync(join(corpusDir, f), 'utf8') }))
  : [];
const fixtures = readdirSync(join(fixturesDir, 'nmap'))
  .filter((f) => f.endsWith('.xml'))
  .map((f) => ({ name: f, xml: readFileSync(join(fixturesDir, 'nmap', f), 'utf8') }));

/** parseNmapXml either reads a run or throws an Error that names the file: never anything else. */
function readsOrNamesTheFile(xml: string): void {
  let result: unknown;
  try {
    result = parseNmapXml(xml, 'fuzz.xml');
  } catch (error) {
    assert.ok(error instanceof Error, `threw a non-Error: ${String(error)}`);
    assert.equal(error.constructor, Error, `threw ${error.name}: ${error.message}`);
    assert.match(error.message, /^fuzz\.xml is not (well-formed XML|nmap XML)/, error.message);
    return;
  }
  const parsed = result as ReturnType<typeof parseNmapXml>;
  assert.ok(Array.isArray(parsed.hosts) && Array.isArray(parsed.scanInfo));
  // What a report is built from is plain data: strings and finite numbers.
  for (const host of parsed.hosts) {
    assert.equal(typeof host.status, 'string');
    // An address that reaches the report is an IP: the reader refused the file otherwise.
    for (const a of host.addresses) {
      if (a.addrtype === 'ipv4' || a.addrtype === 'ipv6') assert.ok(canonicalIp(a.addr), a.addr);
    }
    for (const p of host.ports) {
      assert.ok(Number.isFinite(p.port), JSON.stringify(p));
      assert.equal(typeof p.state, 'string');
    }
  }
}

/** Text that looks like nmap XML: its tags, attributes, entities and references, shuffled. */
const xmlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '<nmaprun scanner="nmap" version="7.93">',
        '</nmaprun>',
        '<host>',
        '</host>',
        '<host starttime="x">',
        '<status state="up" reason="syn-ack"/>',
        '<address addr="203.0.113.5" addrtype="ipv4"/>',
        '<address addr="" addrtype="ipv6"/>',
        '<ports>',
        '</ports>',
        '<port protocol="tcp" portid="80">',
        '<port protocol="udp" portid="-1">',
        '<port portid="1e309">',
        '</port>',
        '<state state="open" reason="syn-ack"/>',
        '<service name="http" product="&xxe;" version="&#xD800;&#x110000;&#99999999999;"/>',
        '<extraports state="closed" count="NaN"><extrareasons reason="reset" count="9"/></extraports>',
        '<scaninfo type="syn" protocol="tcp" numservices="1" services="1-65535,0,99999"/>',
        '<runstats><finished errormsg="&lt;b&gt;" exit="error"/><hosts up="1"/></runstats>',
        '<!DOCTYPE nmaprun [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x"> %p;]>',
        '<![CDATA[</host>]]>',
        '<!-- </nmaprun> -->',
        '<?xml version="1.0"?>',
        '<output type="interactive">&#x1b;[31m</output>',
        '&amp;',
        '&#;',
        '&#x;',
        '"',
        '<',
        '>',
        '/>',
      ),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

type Mutation = (xml: string, at: number, text: string) => string;
const MUTATIONS: Record<string, Mutation> = {
  'flip a character': (x, at, t) => x.slice(0, at) + (t[0] ?? '\u0000') + x.slice(at + 1),
  'cut it off': (x, at) => x.slice(0, at),
  'insert text': (x, at, t) => x.slice(0, at) + t + x.slice(at),
  'remove a tag': (x, at) => {
    const start = x.lastIndexOf('<', at);
    const end = x.indexOf('>', at);
    return start < 0 || end < 0 ? x : x.slice(0, start) + x.slice(end + 1);
  },
  'duplicate a tag': (x, at) => {
    const start = x.lastIndexOf('<', at);
    const end = x.indexOf('>', at);
    return start < 0 || end < 0
      ? x
      : x.slice(0, end + 1) + x.slice(start, end + 1) + x.slice(end + 1);
  },
  'inject an entity': (x, at) =>
    x.slice(0, at) +
    ['&xxe;', '&#x0;', '&#xFFFFFFFF;', '&lol9;', '<!ENTITY a "b">', ']]>'][at % 6] +
    x.slice(at),
  'declare entities': (x) =>
    x.replace(
      /<!DOCTYPE nmaprun>|(?=<nmaprun)/,
      '<!DOCTYPE nmaprun [<!ENTITY a "]>"><!ENTITY xxe SYSTEM "file:///etc/hostname">]>',
    ),
};

/** A real file, changed a few times over. */
const mutated = (files: { name: string; xml: string }[]) =>
  fc
    .tuple(
      fc.constantFrom(...files),
      fc.array(
        fc.tuple(
          fc.constantFrom(...Object.keys(MUTATIONS)),
          fc.nat(),
          fc.string({ maxLength: 6, unit: 'binary' }),
        ),
        { minLength: 1, maxLength: 4 },
      ),
    )
    .map(([file, steps]) =>
      steps.reduce(
        (xml, [name, at, text]) => MUTATIONS[name]!(xml, xml.length ? at % xml.length : 0, text),
        file.xml,
      ),
    );

describe('fuzzing the nmap XML reader', () => {
  it('reads or refuses random text, naming the file, and never throws anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), readsOrNamesTheFile),
      run(1000),
    );
  });

  it('reads or refuses random arrangements of nmap’s own tags and entities', () => {
    fc.assert(fc.property(xmlish, readsOrNamesTheFile), run(2000));
  });

  it('reads or refuses mutated recorded scans (flips, cuts, tags removed or doubled, entities)', () => {
    fc.assert(fc.property(mutated(fixtures), readsOrNamesTheFile), run(2000));
  });

  it(
    'reads or refuses mutated files of the shared nmap 4.x-7.x corpus',
    { skip: corpus.length ? false : `no nmap XML corpus at ${corpusDir}` },
    () => {
      fc.assert(fc.property(mutated(corpus), readsOrNamesTheFile), run(1000));
    },
  );

  it('decodes any text without throwing, expanding only XML’s own references', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ maxLength: 5 }),
            fc.constantFrom('&#x', '&#', ';', '&amp;', '&lt;', '&xxe;', '&#xD800;', '&#x110000;'),
            fc.nat().map((n) => `&#${n};`),
            fc.nat().map((n) => `&#x${n.toString(16)};`),
          ),
        ),
        (parts) => {
          const out = decodeText(parts.join(''));
          assert.equal(typeof out, 'string');
          assert.equal(out.includes('&xxe;') || !parts.join('').includes('&xxe;'), true);
        },
      ),
      run(1000),
    );
  });
});

/** A ConfigurationError (one line, naming the input), or nothing. Never TypeError, RangeError... */
function refusesAsConfiguration(input: string, action: () => unknown): void {
  try {
    action();
  } catch (error) {
    assert.ok(
      error instanceof ConfigurationError,
      `threw ${(error as Error)?.name}: ${(error as Error)?.message}`,
    );
    assert.equal(error.input, input);
    assert.doesNotMatch(error.message, /[\r\n]/, 'one line');
  }
}

/** Pieces of rules: patterns, ports, separators and the noise people and attackers type. */
const rulePiece = fc.oneof(
  fc.constantFrom(
    '*',
    '203.0.113.5',
    '203.0.113.0/24',
    '2001:db8::1',
    '[2001:db8::1]',
    '2001:db8::/64',
    'web.example.com',
    ':',
    ': ',
    ',',
    ', ',
    '-',
    '?',
    '/tcp',
    '/udp',
    '/sctp',
    'none',
    '22',
    '0',
    '65535',
    '65536',
    '8000-8100',
    '99999999999999999999',
    '#',
    '\n',
    '\r\n',
    ' ',
    '\t',
    '-iL /etc/passwd',
    '$(id)',
    '`id`',
    '%0A',
  ),
  fc.string({ maxLength: 4 }),
);
const ruleText = fc.array(rulePiece, { maxLength: 25 }).map((p) => p.join(''));

describe('fuzzing the rule grammar', () => {
  it('parses or refuses any `expected` text with a one-line configuration error', () => {
    fc.assert(
      fc.property(ruleText, (text) => {
        refusesAsConfiguration('expected', () => {
          for (const rule of parseRules('expected', text)) {
            assert.equal(typeof rule.pattern, 'string');
            for (const p of rule.ports) {
              assert.ok(p.from >= 1 && p.to <= 65535 && p.from <= p.to, JSON.stringify(p));
              assert.ok(p.protocol === 'tcp' || p.protocol === 'udp');
            }
          }
        });
      }),
      run(1000),
    );
  });

  it('answers any PORTS or PATTERN text with ports, a pattern or a reason: it never throws', () => {
    fc.assert(
      fc.property(ruleText, (text) => {
        const ports = parseRulePorts(text);
        assert.ok(typeof ports === 'string' || Array.isArray(ports));
        const pattern = parsePattern(text);
        assert.ok(typeof pattern === 'string' || typeof pattern.error === 'string');
        // A pattern that passes is never an option and holds no shell characters.
        if (typeof pattern === 'string') assert.doesNotMatch(pattern, /^-|[\s;&|`$<>()'"\\]/);
      }),
      run(1000),
    );
  });

  it('reads any `targets` text into targets nmap can take, or refuses it', () => {
    fc.assert(
      fc.property(ruleText, (text) => {
        refusesAsConfiguration('targets', () => {
          for (const t of parseTargets('targets', text, 4096)) {
            assert.doesNotMatch(t.spec, /^-|[\s;&|`$<>()'"\\*!?{}[\]]/);
            assert.equal(typeof classifyTarget(t.spec), 'object');
          }
        });
      }),
      run(1000),
    );
  });
});

const VALID_POLICY = formatPolicy({
  name: 'fleet',
  targets: ['web.example.com', '203.0.113.0/28', '2001:db8::1'],
  groups: new Map([['web', ['web.example.com', '203.0.113.5']]]),
  rules: [
    {
      pattern: 'web.example.com',
      ports: [{ from: 443, to: 443, protocol: 'tcp', optional: false }],
      source: 'x',
    },
    {
      pattern: '*',
      ports: [{ from: 53, to: 53, protocol: 'udp', optional: true }],
      source: 'x',
    },
  ],
});

/** YAML's own syntax and policy keys, in any order. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'name: ',
        'targets:',
        'groups:',
        'rules:',
        '\n',
        '\n  ',
        '\n  - ',
        '- ',
        '[',
        ']',
        '{',
        '}',
        ', ',
        ': ',
        '? ',
        '&a ',
        '*a',
        '<<: *a',
        '!!binary ',
        '!!js/function ',
        '!custom ',
        '"',
        "'",
        '|\n',
        '>\n',
        '---\n',
        '...\n',
        '%YAML 1.1\n',
        '\t',
        '#',
        '~',
        'null',
        'true',
        '0x1F',
        '1e309',
        '203.0.113.5',
        '"*"',
        'web',
        '22',
        '53/udp',
        '-iL /etc/passwd',
        '\u0000',
        '\ufeff',
      ),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 30 },
  )
  .map((p) => p.join(''));

const mutatedPolicy = fc
  .array(
    fc.tuple(
      fc.constantFrom('flip', 'cut', 'insert', 'swap lines', 'indent'),
      fc.nat(),
      fc.string({ maxLength: 4 }),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((steps) =>
    steps.reduce((text, [how, n, s]) => {
      const at = n % (text.length || 1);
      const lines = text.split('\n');
      const i = n % lines.length;
      switch (how) {
        case 'flip':
          return text.slice(0, at) + (s[0] ?? '\t') + text.slice(at + 1);
        case 'cut':
          return text.slice(0, at);
        case 'insert':
          return text.slice(0, at) + s + text.slice(at);
        case 'swap lines':
          [lines[0], lines[i]] = [lines[i] ?? '', lines[0] ?? ''];
          return lines.join('\n');
        default:
          lines[i] = `  ${lines[i] ?? ''}`;
          return lines.join('\n');
      }
    }, VALID_POLICY),
  );

describe('fuzzing the policy file parser', () => {
  it('reads the valid policy it starts from', () => {
    assert.equal(parsePolicy(VALID_POLICY, 'policy.yml').targets.length, 4);
  });

  it('keeps the error on one line when a key or a value holds a line break (found by fuzzing)', () => {
    for (const text of ['? ---\n\n  - ', 'targets: ["203.0.113.5\\n::notice::forged"]\n']) {
      assert.throws(
        () => parsePolicy(text, 'policy.yml'),
        (error: Error) => error instanceof ConfigurationError && !/[\r\n]/.test(error.message),
        JSON.stringify(text),
      );
    }
  });

  for (const [what, text, runs] of [
    ['random YAML-ish text', yamlish, 2000],
    ['mutated valid policies', mutatedPolicy, 2000],
  ] as const) {
    it(`reads or refuses ${what} with a one-line error naming the file`, () => {
      fc.assert(
        fc.property(text, (t) => {
          refusesAsConfiguration('policy', () => {
            const policy = parsePolicy(t, 'policy.yml');
            for (const target of policy.targets) assert.doesNotMatch(target.spec, /^-|\s/);
          });
          try {
            parsePolicy(t, 'policy.yml');
          } catch (error) {
            assert.match((error as Error).message, /^Input 'policy': policy\.yml(:\d+)?[,:]/);
          }
        }),
        run(runs),
      );
    });
  }
});

describe('fuzzing the escaping of untrusted text', () => {
  const hostile = fc.array(
    fc.oneof(
      fc.constantFrom(
        '`',
        '``',
        '```',
        '|',
        '\\',
        '\n',
        '\r',
        '\u2028',
        '<!channel>',
        '@admin',
        '#1',
      ),
      fc.constantFrom(
        '<img src=x>',
        '[x](http://evil.test)',
        ' ',
        '&',
        '<',
        '>',
        '\u0000',
        '\u009b',
      ),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 30 },
  );

  it('keeps any text inside one Markdown code span, on one line, with no bare table pipe', () => {
    fc.assert(
      fc.property(hostile, (parts) => {
        const md = code(parts.join(''));
        assert.equal(outsideCodeSpans(md), '', md);
        assert.doesNotMatch(md, /[\r\n\u2028\u2029]/);
        assert.doesNotMatch(md, /(?<!\\)\|/, 'an unescaped | would end the table cell');
      }),
      run(1000),
    );
  });

  it('leaves Slack no `<`, `>` or backtick inside the span it writes', () => {
    fc.assert(
      fc.property(hostile, (parts) => {
        const text = slackCode(parts.join(''));
        const inner = text.slice(1, -1);
        assert.doesNotMatch(inner, /[<>`\r\n]/, text);
      }),
      run(1000),
    );
  });
});
