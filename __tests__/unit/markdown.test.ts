import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { code, oneLine } from '../../src/base/markdown.js';

describe('markdown escaping of untrusted text', () => {
  it('wraps text in a code span longer than any backtick run in it', () => {
    assert.equal(code('nginx'), '`nginx`');
    assert.equal(code('a`b'), '``a`b``');
    assert.equal(code('`x`'), '`` `x` ``');
  });

  it('escapes table pipes and flattens newlines and control characters', () => {
    assert.equal(code('a|b\nc\u0007d'), '`a\\|b c d`');
    assert.equal(oneLine('x'.repeat(300), 10), 'xxxxxxxxx…');
  });

  it('leaves no way out of the span for mentions, references, links or HTML', () => {
    const hostile = '@admin #1 <img src=x onerror=alert(1)> [click](https://evil.example) ``` |';
    const md = code(hostile);
    const fence = /^`+/.exec(md)?.[0] ?? '';
    assert.ok(fence.length > 3, 'fence must be longer than the ``` run');
    assert.ok(md.endsWith(fence));
    assert.equal(md.slice(fence.length, -fence.length).includes(fence), false);
  });
});
