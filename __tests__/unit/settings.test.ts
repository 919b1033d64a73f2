import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigurationError } from '../../src/base/errors.js';
import { artifactName, parseDuration, readSettings } from '../../src/settings/settings.js';
import { inputs } from '../helpers/inputs.js';

function refuses(
  values: Record<string, string>,
  input: string,
  words: RegExp,
  env: NodeJS.ProcessEnv = {},
): void {
  assert.throws(
    () => readSettings(inputs(values), env),
    (error: unknown) => {
      assert.ok(error instanceof ConfigurationError, `not a ConfigurationError: ${String(error)}`);
      assert.equal(error.input, input);
      assert.match(error.message, words);
      return true;
    },
  );
}

describe('settings', () => {
  it('reads a minimal workflow with the contract defaults', () => {
    const s = readSettings(inputs({ targets: 'web.example.com, 203.0.113.5' }), {
      GITHUB_WORKFLOW: 'watch',
      RUNNER_TEMP: '/tmp/rt',
    });
    assert.deepEqual(
      s.targets.map((t) => [t.spec, t.kind]),
      [
        ['web.example.com', 'hostname'],
        ['203.0.113.5', 'ipv4'],
      ],
    );
    assert.equal(s.name, 'watch');
    assert.equal(s.reportDir, '/tmp/rt/port-drift');
    assert.deepEqual([...s.failOn], ['unexpected-open', 'missing', 'host-down']);
    assert.equal(s.scanTimeoutMs, 20 * 60_000);
    assert.equal(s.maxAddresses, 4096);
    assert.equal(s.tcpPorts.kind, 'default');
    assert.equal(s.udpPorts.kind, 'none');
    assert.equal(s.ipVersion, 'both');
    assert.equal(s.scanType, 'auto');
    assert.equal(s.installNmap, true);
  });

  it('masks the token and the Slack URL the moment they are read', () => {
    const source = inputs({ targets: '203.0.113.5', 'github-token': 'ghs_secret' });
    readSettings(source, {});
    assert.deepEqual(source.secrets, ['ghs_secret']);
    const slack = inputs({
      targets: '203.0.113.5',
      'slack-webhook-url': 'https://hooks.slack.com/services/T0/B0/s3cret',
    });
    assert.equal(
      readSettings(slack, {}).slackWebhookUrl,
      'https://hooks.slack.com/services/T0/B0/s3cret',
    );
    // The path alone is masked too: a message quoting only the path must not show the secret.
    assert.deepEqual(slack.secrets, [
      'https://hooks.slack.com/services/T0/B0/s3cret',
      '/services/T0/B0/s3cret',
    ]);
  });

  it('reads the notification inputs with the contract defaults', () => {
    const s = readSettings(inputs({ targets: '203.0.113.5' }), {});
    assert.equal(s.issue, false);
    assert.deepEqual(s.issueLabels, ['port-drift']);
    assert.equal(s.prComment, true);
    assert.equal(s.slackWebhookUrl, '');
    assert.equal(s.notify, 'change');
    const on = readSettings(
      inputs({
        targets: '203.0.113.5',
        issue: 'true',
        'issue-labels': 'security, drift\nsecurity',
      }),
      {},
    );
    assert.equal(on.issue, true);
    assert.deepEqual(on.issueLabels, ['security', 'drift']);
  });

  it('refuses a Slack webhook that is not https, naming the input', () => {
    const t = { targets: '203.0.113.5' };
    refuses(
      { ...t, 'slack-webhook-url': 'http://hooks.slack.com/x' },
      'slack-webhook-url',
      /https:\/\//,
    );
    refuses({ ...t, 'slack-webhook-url': 'hooks.slack.com/x' }, 'slack-webhook-url', /not a URL/);
    refuses({ ...t, 'slack-webhook-url': 'ftp://127.0.0.1/x' }, 'slack-webhook-url', /https:\/\//);
    refuses(
      { ...t, 'slack-webhook-url': 'http://localhost:8080/x' },
      'slack-webhook-url',
      /loopback/,
    );
    // Plain http only to the loopback address (tests, local relays).
    for (const url of ['http://127.0.0.1:8080/hook', 'http://[::1]:8080/hook']) {
      assert.equal(
        readSettings(inputs({ ...t, 'slack-webhook-url': url }), {}).slackWebhookUrl,
        url,
      );
    }
    refuses({ ...t, 'issue-labels': ' , ' }, 'issue-labels', /is empty/);
    refuses({ ...t, issue: 'yes' }, 'issue', /not a boolean/);
  });

  it('refuses option-like and shell-like targets, naming the entry', () => {
    refuses({ targets: '-iL /etc/passwd' }, 'targets', /'-iL \/etc\/passwd'/);
    refuses({ targets: '--script=http-title' }, 'targets', /never nmap options/);
    refuses({ targets: 'example.com; rm -rf /' }, 'targets', /example\.com; rm -rf/);
    refuses({ targets: '$(id).example.com' }, 'targets', /characters/);
    refuses({ targets: 'exa mple.com' }, 'targets', /characters/);
    refuses({ targets: 'under_score.example' }, 'targets', /not a hostname/);
    refuses({ targets: '203.0.113.256' }, 'targets', /not a hostname/);
  });

  it('refuses an empty target list, and a block larger than max-addresses', () => {
    refuses({ targets: '  # nothing\n' }, 'targets', /is empty/);
    refuses({ targets: '10.0.0.0/8' }, 'targets', /16,777,216 addresses.*max-addresses \(4096\)/);
    refuses({ targets: '2001:db8::/64' }, 'targets', /max-addresses/);
    refuses({ targets: '203.0.113.0/24', 'max-addresses': '100' }, 'targets', /256 addresses/);
    refuses(
      { targets: '203.0.113.0/25, 198.51.100.0/25', 'max-addresses': '200' },
      'targets',
      /256 addresses/,
    );
  });

  it('refuses bad values for every enumerated and numeric input', () => {
    const t = { targets: '203.0.113.5' };
    refuses({ ...t, 'fail-on': 'unexpected-open, typo' }, 'fail-on', /'typo' is not a drift kind/);
    refuses({ ...t, 'ip-version': '5' }, 'ip-version', /both, 4, 6/);
    refuses({ ...t, 'scan-type': 'xmas' }, 'scan-type', /auto, syn, connect/);
    refuses({ ...t, notify: 'sometimes' }, 'notify', /change, always/);
    refuses({ ...t, 'max-addresses': '-3' }, 'max-addresses', /positive whole number/);
    refuses({ ...t, 'scan-timeout': '20' }, 'scan-timeout', /90s, 20m/);
    refuses({ ...t, ports: '22,70000' }, 'ports', /outside 1-65535/);
    refuses({ ...t, ports: '100-20' }, 'ports', /backwards/);
    refuses({ ...t, 'udp-ports': 'top-0' }, 'udp-ports', /top-N/);
    refuses({ ...t, 'install-nmap': 'yes' }, 'install-nmap', /not a boolean/);
    refuses({ ...t, 'pr-comment': 'ture' }, 'pr-comment', /not a boolean/);
  });

  it('reads artifact: on by default, a name, or false; retention days 1-400', () => {
    const t = { targets: '203.0.113.5' };
    assert.deepEqual(readSettings(inputs(t), {}).artifact, {});
    assert.equal(readSettings(inputs({ ...t, artifact: 'false' }), {}).artifact, undefined);
    assert.deepEqual(
      readSettings(inputs({ ...t, artifact: 'edge-reports', 'artifact-retention-days': '14' }), {})
        .artifact,
      { name: 'edge-reports', retentionDays: 14 },
    );
    refuses({ ...t, artifact: 'a/b' }, 'artifact', /cannot name an artifact/);
    refuses({ ...t, artifact: 'x'.repeat(201) }, 'artifact', /200 characters/);
    refuses({ ...t, 'artifact-retention-days': '401' }, 'artifact-retention-days', /1 to 400/);
    refuses({ ...t, 'artifact-retention-days': '1.5' }, 'artifact-retention-days', /1 to 400/);
    assert.equal(artifactName({}, 'edge: prod/eu'), 'port-drift-edge- prod-eu');
    assert.equal(artifactName({ name: 'r' }, 'x', { index: 2, count: 4 }), 'r-shard-2-of-4');
  });

  it('accepts fail-on none and any list of kinds', () => {
    assert.equal(
      readSettings(inputs({ targets: 'a.example', 'fail-on': 'none' }), {}).failOn.size,
      0,
    );
    const s = readSettings(
      inputs({ targets: 'a.example', 'fail-on': 'missing\ninconclusive' }),
      {},
    );
    assert.deepEqual([...s.failOn], ['missing', 'inconclusive']);
  });

  it('refuses a rule whose hostname pattern names no target (a typo would otherwise go unnoticed)', () => {
    refuses(
      { targets: 'web.example.com', expected: 'web.exmaple.com: 443' },
      'expected',
      /'web\.exmaple\.com' names no entry of targets/,
    );
  });

  it('reads shard: i/n, and refuses anything else naming the input', () => {
    const s = readSettings(inputs({ targets: '203.0.113.0/24', shard: ' 2 / 3 ' }), {});
    assert.deepEqual(s.shard, { index: 2, count: 3 });
    for (const bad of ['0/2', '3/2', '1', '1/0', 'a/b', '1/300', '-1/2']) {
      refuses({ targets: '203.0.113.5', shard: bad }, 'shard', /is not i\/n/);
    }
    refuses({ targets: '203.0.113.5', shard: '1/2', xml: 'scan.xml' }, 'shard', /xml/);
  });

  it('lets n shards cover n times max-addresses, and no more', () => {
    const many = { targets: '203.0.113.0/24, 198.51.100.0/24', 'max-addresses': '256' };
    refuses(many, 'targets', /more than max-addresses \(256\).*matrix \(shard\)/);
    assert.equal(readSettings(inputs({ ...many, shard: '1/2' }), {}).shard?.count, 2);
    refuses({ ...many, 'max-addresses': '128' }, 'targets', /more than max-addresses/);
  });

  it('reads mode: merge with results, needing no targets, and keeps shard and results apart', () => {
    const s = readSettings(inputs({ mode: 'merge', results: 'shards/*/report.json' }), {
      GITHUB_WORKFLOW: 'watch',
    });
    assert.equal(s.mode, 'merge');
    assert.equal(s.results, 'shards/*/report.json');
    assert.equal(s.name, '', 'the name comes from the shards');
    // Without results, the shard artifacts of the run; with no artifact, nothing to merge.
    const fromArtifacts = readSettings(inputs({ mode: 'merge' }), {});
    assert.equal(fromArtifacts.results, '');
    assert.deepEqual(fromArtifacts.artifact, {});
    refuses({ mode: 'merge', artifact: 'false' }, 'results', /mode: merge needs it/);
    refuses(
      { targets: '203.0.113.5', results: 'x/*.json' },
      'results',
      /only read with mode: merge/,
    );
    refuses({ mode: 'merge', results: 'x', shard: '1/2' }, 'shard', /Remove shard/);
    refuses(
      { mode: 'merge', results: 'x', xml: 'scan.xml' },
      'xml',
      /cannot be used with mode: merge/,
    );
    // Record mode writes what its own scan saw, with the ports a later check scans: never a file.
    refuses(
      { mode: 'record', xml: 'scan.xml' },
      'xml',
      /cannot be used with mode: record: .* run mode: check with xml and add the rules the summary's What to do section gives/,
    );
  });

  it('reads max-rate as packets per second, empty for pacing to the path', () => {
    const read = (v: string) => readSettings(inputs({ targets: '203.0.113.5', 'max-rate': v }), {});
    assert.equal(read('').maxRate, undefined);
    assert.equal(read('2000').maxRate, 2000);
    assert.equal(read(' 10_000 ').maxRate, 10_000);
    for (const bad of ['fast', '-5', '2.5', '0', '5', '2000000', '--min-rate 9']) {
      refuses({ targets: '203.0.113.5', 'max-rate': bad }, 'max-rate', /packets per second/);
    }
  });

  it('reads durations', () => {
    assert.equal(parseDuration('x', '90s'), 90_000);
    assert.equal(parseDuration('x', '1h30m'), 5_400_000);
    assert.throws(() => parseDuration('x', '5 minutes'), ConfigurationError);
    assert.throws(() => parseDuration('x', '10ms'), /under one second/);
  });

  it('refuses a duration longer than any job runs, which would stop nmap at once', () => {
    assert.equal(parseDuration('x', '120h'), 432_000_000);
    assert.throws(() => parseDuration('x', '1000h'), /'1000h' is longer than 5 days/);
    assert.throws(() => parseDuration('x', `1${'0'.repeat(400)}h`), /longer than 5 days/);
  });
});

describe('the name', () => {
  it('is at most 100 characters: a longer one is refused naming `name`, without quoting it', () => {
    const long = 'x'.repeat(101);
    refuses(
      { targets: '203.0.113.5', name: long },
      'name',
      /^Input 'name': is 101 characters long; at most 100: the name is repeated in every report, the issue's title and every Slack message\. Give a shorter name\.$/,
    );
    const s = readSettings(inputs({ targets: '203.0.113.5', name: 'x'.repeat(100) }), {});
    assert.equal(s.name.length, 100);
  });

  it('of a policy file is held to the same, naming the file and key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'port-drift-name-'));
    try {
      writeFileSync(join(dir, 'p.yml'), `name: ${'y'.repeat(5000)}\ntargets: [203.0.113.5]\n`);
      refuses(
        { policy: join(dir, 'p.yml') },
        'policy',
        /p\.yml:1, key 'name': is 5,000 characters long; at most 100/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('taken from a long workflow name is shortened to 100 characters', () => {
    const s = readSettings(inputs({ targets: '203.0.113.5' }), {
      GITHUB_WORKFLOW: 'w'.repeat(300),
    });
    assert.equal([...s.name].length, 100);
    assert.ok(s.name.endsWith('…'));
  });
});

describe('a policy file that is a symbolic link', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'port-drift-ws-'));
  const outside = mkdtempSync(join(tmpdir(), 'port-drift-outside-'));
  after(() => {
    rmSync(workspace, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });
  const secret = join(outside, 'shadow');
  writeFileSync(secret, 'root:$6$secrethash:19000:0:99999:7:::\n');
  symlinkSync(secret, join(workspace, 'ports.yml'));
  writeFileSync(join(workspace, 'real.yml'), 'targets: [203.0.113.5]\n');
  symlinkSync('real.yml', join(workspace, 'inside.yml'));

  it('out of the workspace is refused on a runner, before it is read: none of its lines quoted', () => {
    refuses(
      { policy: 'ports.yml' },
      'policy',
      /^Input 'policy': ports\.yml is a symbolic link to a file outside the workspace \(GITHUB_WORKSPACE\): not read\. Name the policy file itself, inside the repository\.$/,
      { GITHUB_WORKSPACE: workspace },
    );
    assert.throws(
      () => readSettings(inputs({ policy: 'ports.yml' }), { GITHUB_WORKSPACE: workspace }),
      (e: unknown) => e instanceof ConfigurationError && !/secrethash|root:/.test(e.message),
    );
  });

  it('within the workspace is followed; the command line (no GITHUB_WORKSPACE) follows links', () => {
    const s = readSettings(inputs({ policy: 'inside.yml' }), { GITHUB_WORKSPACE: workspace });
    assert.deepEqual(
      s.targets.map((t) => t.spec),
      ['203.0.113.5'],
    );
    const cli = readSettings(inputs({ policy: join(workspace, 'inside.yml') }), {});
    assert.deepEqual(
      cli.targets.map((t) => t.spec),
      ['203.0.113.5'],
    );
  });
});
