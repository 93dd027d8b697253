import { describe, expect, it } from 'vitest';
import { loadCompose } from '../../../reconciler/compose/load.js';

const load = (text: string, profiles: string[] = []) =>
  loadCompose({ file: 's.yml', text }, { env: {}, profiles });
const error = (text: string, profiles: string[] = []): string => {
  try {
    load(text, profiles);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

const DB = '  db:\n    image: db\n    profiles: [data, more]\n';

// docker compose --profile's rules and advice (the compose spec, "Using profiles with Compose").
describe('profiles', () => {
  it.each([
    [
      'no profile enabled',
      `services:\n  app:\n    image: app\n    depends_on: [db]\n${DB}`,
      [],
      's.yml:4: services.app.depends_on: service "db" is a dependency of service "app" but is not enabled by the active profiles (none; "db" has data, more): add a common profile to both, or enable one of data, more in spec.profiles',
    ],
    [
      'other profiles enabled, depends_on as a mapping',
      `services:\n  app:\n    image: app\n    depends_on:\n      db: {condition: service_started}\n${DB}`,
      ['x', 'y'],
      's.yml:4: services.app.depends_on: service "db" is a dependency of service "app" but is not enabled by the active profiles (x, y; "db" has data, more)',
    ],
    [
      'a profile name docker refuses',
      'services:\n  app:\n    image: app\n    profiles: [ok, "Bad!"]\n',
      [],
      's.yml:4: services.app.profiles: invalid profile name "Bad!": expected [a-zA-Z0-9][a-zA-Z0-9_.-]*',
    ],
    [
      'a profile name that is not a string',
      'services:\n  app:\n    image: app\n    profiles: [ok, 1]\n',
      [],
      's.yml:4: services.app.profiles: expected a list of profile names',
    ],
  ])('%s is an error', (_n, text, profiles, message) => {
    expect(error(text, profiles)).toContain(message);
  });

  it('a disabled service may depend on another disabled one', () => {
    const p = load(
      `services:\n  app:\n    image: app\n  tool:\n    image: t\n    profiles: [ops]\n    depends_on: [db]\n${DB}`,
    );
    expect(Object.keys(p.services)).toEqual(['app']);
  });

  it('enabled profiles keep their services, and the profiles key is gone', () => {
    const p = load(`services:\n  app:\n    image: app\n    depends_on: [db]\n${DB}`, ['more']);
    expect(Object.keys(p.services).sort()).toEqual(['app', 'db']);
    expect(p.services['db']).toEqual({ image: 'db' });
  });
});
