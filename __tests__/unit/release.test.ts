// What a release rests on: one repository named everywhere users copy it from, and a tag that
// releases only the version package.json and CHANGELOG.md describe.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { REPOSITORY, SCHEMA_URL } from '../../src/base/project.js';
import { repoRoot } from '../helpers/paths.js';

interface Spot {
  file: string;
  what: string;
}
interface SetRepositoryScript {
  SPOTS: Spot[];
  findSlugs(root: string): (Spot & { slug: string })[];
  setRepository(root: string, slug: string): string[];
  invalidSlug(slug: string): string | undefined;
}
interface ReleaseNotesScript {
  tagProblem(tag: string, version: string): string | undefined;
  releaseNotes(changelog: string, version: string): string | undefined;
}

// The scripts are plain JavaScript run by node: the tests load them as they are.
async function script<T>(name: string): Promise<T> {
  return (await import(pathToFileURL(join(repoRoot, 'scripts', name)).href)) as T;
}
const slugs = await script<SetRepositoryScript>('set-repository.mjs');
const notes = await script<ReleaseNotesScript>('release-notes.mjs');

describe('the repository', () => {
  it('is named the same in src/base/project.ts, the README, docs/reference.md and policy.schema.json', () => {
    const found = slugs.findSlugs(repoRoot);
    for (const spot of slugs.SPOTS) {
      assert.ok(
        found.some((f) => f.file === spot.file && f.what === spot.what),
        `${spot.file} has no ${spot.what} naming the repository`,
      );
    }
    for (const f of found) {
      assert.equal(f.slug, REPOSITORY, `${f.file} (${f.what}) names another repository`);
    }
  });

  it('serves the recorded policy the schema policy.schema.json says it is', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'policy.schema.json'), 'utf8')) as {
      $id: string;
    };
    assert.equal(schema.$id, SCHEMA_URL);
  });

  it('is renamed everywhere by set-repository, and a second run changes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'port-drift-slug-'));
    try {
      const files = [...new Set(slugs.SPOTS.map((s) => s.file))];
      for (const file of files) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        copyFileSync(join(repoRoot, file), join(dir, file));
      }
      assert.deepEqual(slugs.setRepository(dir, 'acme-ops/edge.watch').sort(), files.sort());
      assert.ok(slugs.findSlugs(dir).every((f) => f.slug === 'acme-ops/edge.watch'));
      assert.deepEqual(slugs.setRepository(dir, 'acme-ops/edge.watch'), []);
      // Nothing but the slug changed: GitHub's own actions in the examples keep their names.
      for (const file of files) {
        const renamed = readFileSync(join(dir, file), 'utf8');
        const original = readFileSync(join(repoRoot, file), 'utf8');
        assert.equal(renamed.replaceAll('acme-ops/edge.watch', REPOSITORY), original, file);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is refused by set-repository unless it is OWNER/NAME', () => {
    for (const ok of ['acme/port-drift', 'a-b/c.d_e', 'OWNER/port-drift']) {
      assert.equal(slugs.invalidSlug(ok), undefined, ok);
    }
    for (const bad of ['', 'acme', 'a/b/c', '-a/b', 'a--/b', 'a/..', 'a/b c', 'a/b;x', '../b']) {
      assert.ok(slugs.invalidSlug(bad), bad);
    }
  });
});

describe('a release tag', () => {
  it("is refused unless it is v and package.json's version", () => {
    assert.equal(notes.tagProblem('v1.2.3', '1.2.3'), undefined);
    assert.equal(notes.tagProblem('v1.0.0-rc.1', '1.0.0-rc.1'), undefined);
    assert.match(notes.tagProblem('v1.2.4', '1.2.3') ?? '', /not package\.json's version 1\.2\.3/);
    assert.match(notes.tagProblem('1.2.3', '1.2.3') ?? '', /not vMAJOR/);
    assert.match(notes.tagProblem('v01.2.3', '01.2.3') ?? '', /not vMAJOR/);
  });

  it("takes its notes from its version's CHANGELOG section, not the next one", () => {
    const changelog = [
      '# Changelog',
      '',
      '## [Unreleased]',
      '',
      '## [1.2.3] - 2026-01-31',
      '',
      '### Fixed',
      '',
      '- A fix.',
      '',
      '## [1.2.0] - 2026-01-01',
      '',
      '- Older.',
      '',
      '[1.2.3]: https://example.com/compare/v1.2.0...v1.2.3',
    ].join('\n');
    assert.equal(notes.releaseNotes(changelog, '1.2.3'), '### Fixed\n\n- A fix.');
    assert.equal(notes.releaseNotes(changelog, '1.2.0'), '- Older.');
    assert.equal(notes.releaseNotes(changelog, '1.2'), undefined);
    assert.equal(notes.releaseNotes(changelog, 'Unreleased'), undefined);
  });

  it('has a CHANGELOG.md in Keep a Changelog form, with an Unreleased section', () => {
    const changelog = readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8');
    assert.match(changelog, /keepachangelog\.com/);
    assert.ok(notes.releaseNotes(changelog, 'Unreleased'));
  });
});
