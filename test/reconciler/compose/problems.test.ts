/** Problems: one message per problem, `<file>:<line>: <path>: <problem>`, interpolated values redacted. */
import { describe, expect, it } from 'vitest';
import type { AggregateSwarmkeeperError } from '../../../reconciler/errors.js';
import { describeValue, formatPath, Problems } from '../../../reconciler/compose/problems.js';

const messages = (p: Problems): string[] => {
  try {
    p.throwIfAny();
    return [];
  } catch (e) {
    return (e as AggregateSwarmkeeperError).errors.map((x) => `${x.code} ${x.message}`);
  }
};

describe('formatPath', () => {
  it.each<[(string | number)[], string]>([
    [[], ''],
    [['services'], 'services'],
    [['services', 'web', 'ports', 0, 'target'], 'services.web.ports[0].target'],
    [[0, 'a', 1, 2], '[0].a[1][2]'],
  ])('%j -> %s', (path, want) => expect(formatPath(path)).toBe(want));
});

describe('Problems', () => {
  it('formats with the line when known, the file alone otherwise, no path when empty', () => {
    const p = new Problems('s.yml', (path) => (path[0] === 'services' ? 3 : undefined));
    p.add('COMPOSE_INVALID', ['services', 'web'], 'one');
    p.add('COMPOSE_REFERENCE', ['networks'], 'two');
    p.add('COMPOSE_INVALID', [], 'three');
    expect(p.size).toBe(3);
    expect(messages(p)).toEqual([
      'SK_ERR_COMPOSE_INVALID s.yml:3: services.web: one',
      'SK_ERR_COMPOSE_REFERENCE s.yml: networks: two',
      'SK_ERR_COMPOSE_INVALID s.yml: three',
    ]);
  });

  it('keeps one of identical problems and warnings', () => {
    const p = new Problems('s.yml', () => 1);
    p.add('COMPOSE_INVALID', ['a'], 'x');
    p.add('COMPOSE_INVALID', ['a'], 'x');
    p.add('COMPOSE_INVALID', ['b'], 'x');
    p.warn(['a'], 'w');
    p.warn(['a'], 'w');
    expect(p.size).toBe(2);
    expect(p.warnings).toEqual(['s.yml:1: a: w']);
  });

  it('throws nothing without problems, even with warnings', () => {
    const p = new Problems('s.yml', () => undefined);
    p.warn([], 'only a warning');
    expect(() => p.throwIfAny()).not.toThrow();
    expect(p.warnings).toEqual(['s.yml: only a warning']);
  });

  it('redacts interpolated values of 4 characters or more in later errors and warnings', () => {
    const p = new Problems('s.yml', () => undefined);
    p.redact('hunter2');
    p.redact('abc');
    p.add('COMPOSE_INVALID', ['x'], 'hunter2 and hunter2, abc');
    p.warn(['x'], 'saw hunter2');
    expect(messages(p)).toEqual(['SK_ERR_COMPOSE_INVALID s.yml: x: [redacted] and [redacted], abc']);
    expect(p.warnings).toEqual(['s.yml: x: saw [redacted]']);
  });
});

describe('describeValue (never the content)', () => {
  it.each<[unknown, string]>([
    [null, 'null'],
    [[1], 'a list'],
    [{ a: 1 }, 'a mapping'],
    ['secret', 'a string'],
    [3, 'an integer'],
    [1.5, 'a number'],
    [false, 'a boolean'],
    [undefined, 'undefined'],
  ])('%j -> %s', (v, want) => expect(describeValue(v)).toBe(want));
});
