import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { INPUTS, cliDefault, inputDefault } from '../../src/settings/inputs.js';
import { readSettings } from '../../src/settings/settings.js';
import { inputs } from '../helpers/inputs.js';
import { repoRoot } from '../helpers/paths.js';

const action = parse(readFileSync(join(repoRoot, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string; required?: boolean }>;
};

describe('the inputs table', () => {
  it('names every input of action.yml, in its order, with its default', () => {
    assert.deepEqual(
      INPUTS.map((i) => [i.name, i.default]),
      Object.entries(action.inputs).map(([name, spec]) => [name, spec.default ?? '']),
    );
    for (const [name, spec] of Object.entries(action.inputs)) {
      assert.notEqual(spec.required, true, `${name}: every input has a default, none is required`);
    }
  });

  it('is what the settings take when an input is empty, as outside a runner', () => {
    // The inputs a workflow leaves out arrive empty; the settings must read them as action.yml's
    // defaults say, or a run outside a runner would differ from one on it.
    const empty = readSettings(inputs({ targets: '203.0.113.5' }), { RUNNER_TEMP: '/tmp/rt' });
    const given: Record<string, string> = { targets: '203.0.113.5' };
    for (const i of INPUTS) {
      if (i.default && !i.default.startsWith('${{')) given[i.name] = i.default;
    }
    const explicit = readSettings(inputs(given), { RUNNER_TEMP: '/tmp/rt' });
    assert.deepEqual(empty, explicit);
    assert.equal(empty.installNmap, true);
    assert.equal(empty.prComment, true);
    assert.equal(empty.issue, false);
    assert.equal(empty.maxAddresses, Number(inputDefault('max-addresses')));
  });

  it("gives the command line its own defaults where they differ, and action.yml's elsewhere", () => {
    assert.equal(cliDefault('install-nmap'), 'false');
    assert.equal(cliDefault('github-token'), '');
    assert.equal(cliDefault('ports'), inputDefault('ports'));
  });
});
