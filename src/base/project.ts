// Where port-drift lives on GitHub, in one place: the recorded policy's schema URL is built from it.
// `node scripts/set-repository.mjs OWNER/NAME` rewrites it and the README, docs/reference.md and policy.schema.json
// spots that must agree (a unit test holds them equal); the release workflow refuses a tag where
// they do not name the repository it runs in.
export const REPOSITORY = 'OWNER/port-drift';

/** The policy file's JSON Schema, as the `v1` tag serves it: what editors fetch for completion. */
export const SCHEMA_URL = `https://raw.githubusercontent.com/${REPOSITORY}/v1/policy.schema.json`;
