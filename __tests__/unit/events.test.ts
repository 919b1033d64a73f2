// The event payloads the end-to-end tests hand the action are what GitHub sends: each builder's
// payload is held to GitHub's webhook schema for its event (@octokit/webhooks-schemas).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import {
  pullRequestEvent,
  pushEvent,
  scheduleEvent,
  workflowDispatchEvent,
} from '../helpers/events.js';

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const schema = require('@octokit/webhooks-schemas') as Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...schema, $id: 'webhooks' });

/** The schema's verdict on `payload` as the event `definition`: the errors, none when valid. */
function errors(definition: string, payload: unknown): string[] {
  const validate = ajv.getSchema(`webhooks#/definitions/${definition}`);
  assert.ok(validate, `the schemas have no ${definition}`);
  return validate(payload)
    ? []
    : (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

describe('event payloads of the tests', () => {
  it('pull_request: opened and pushed to, with the number, commits and default branch a test sets', () => {
    for (const action of ['opened', 'synchronize', 'reopened'] as const) {
      const payload = pullRequestEvent({ number: 7, head: 'a1b2c3d', base: 'b4s3', action });
      assert.deepEqual(errors(`pull_request$${action}`, payload), [], action);
      const pull = payload['pull_request'] as {
        number: number;
        head: { sha: string };
        base: { sha: string };
      };
      assert.equal(pull.number, 7);
      assert.equal(pull.head.sha, 'a1b2c3d');
      assert.equal(pull.base.sha, 'b4s3');
      assert.equal((payload['repository'] as { default_branch: string }).default_branch, 'main');
    }
  });

  it('push and workflow_dispatch, on the ref a test names', () => {
    assert.deepEqual(errors('push$event', pushEvent('refs/heads/feature')), []);
    assert.deepEqual(
      errors('workflow_dispatch$event', workflowDispatchEvent('refs/heads/main')),
      [],
    );
  });

  it('catches a payload GitHub would not send', () => {
    const forged = pullRequestEvent({ number: 7, head: 'a1b2c3d' });
    delete (forged['pull_request'] as Record<string, unknown>)['head'];
    assert.notDeepEqual(errors('pull_request$synchronize', forged), []);
    assert.notDeepEqual(errors('push$event', { ref: 'refs/heads/main' }), []);
  });

  it('schedule: the cron line alone, as GitHub writes it (no webhook, so no schema)', () => {
    assert.deepEqual(scheduleEvent('17 * * * *'), { schedule: '17 * * * *' });
  });
});
