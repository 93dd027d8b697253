import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDuration, parseDurationMs } from '../../../reconciler/units/duration.js';

describe('Go durations (compose files)', () => {
  it.each([
    ['10s', 10e9],
    ['1m30s', 90e9],
    ['500ms', 500e6],
    ['1h', 3600e9],
    ['1.5s', 1.5e9],
    ['2us', 2000],
    ['-1s', -1e9],
    ['0', 0],
    ['10', undefined],
    ['1x', undefined],
    ['', undefined],
  ])('duration %s', (s, ns) => expect(parseDuration(s)).toBe(ns));

  it.each<[string, number | undefined]>([
    ['-1s', -1e9],
    ['+1s', 1e9],
    ['1µs', 1000],
    ['1μs', 1000],
    ['.5s', 5e8],
    ['1.s', 1e9],
    ['-.5m', -30e9],
    ['1h1m1s1ms1us1ns', 3661001001001],
    [' 10s ', 10e9],
    ['0s', 0],
    // Go's time.ParseDuration reads the sign first: -0 and +0 are zero
    ['-0', 0],
    ['+0', 0],
    ['.s', undefined],
    ['1.5', undefined],
    ['s', undefined],
    ['1s ago', undefined],
  ])('duration %j', (s, ns) => expect(parseDuration(s)).toBe(ns));

  it('durations add up (property)', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(59), (m, s) => parseDuration(`${m}m${s}s`) === m * 60e9 + s * 1e9),
    );
  });
});

describe('duration options (--resync, interval=, SWARMKEEPER_*): the same syntax, in ms', () => {
  it.each([
    ['5m', 300_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['500ms', 500],
    ['250us', 0.25],
    ['30', 30_000],
    ['0', 0],
  ])('%s -> %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', 'five', '5x', '5m junk', '-5m', ' 5m', '1.5'])('rejects %j, naming it', (text) =>
    expect(() => parseDurationMs(text)).toThrow(`invalid duration "${text}" (use e.g. 90s, 5m, 1h)`),
  );

  it('agrees with the compose parser on every Go duration (property)', () => {
    fc.assert(
      fc.property(fc.nat(99), fc.nat(59), fc.nat(999), (h, m, ms) => {
        const text = `${h}h${m}m${ms}ms`;
        expect(parseDurationMs(text)).toBe(parseDuration(text)! / 1e6);
      }),
    );
  });
});
