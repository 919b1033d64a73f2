// An InputSource for unit tests that behaves like @actions/core: getBooleanInput rejects typos.
import type { InputSource } from '../../src/settings/settings.js';

export function inputs(values: Record<string, string>): InputSource & { secrets: string[] } {
  const secrets: string[] = [];
  return {
    secrets,
    getInput: (name) => values[name] ?? '',
    getBooleanInput(name) {
      const v = (values[name] ?? '').trim();
      if (['true', 'True', 'TRUE'].includes(v)) return true;
      if (['false', 'False', 'FALSE'].includes(v)) return false;
      throw new TypeError(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}`);
    },
    setSecret: (s) => void secrets.push(s),
  };
}
