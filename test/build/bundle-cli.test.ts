import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { patchSource } from '../../build/bundle-cli.js';

const require_ = createRequire(createRequire(import.meta.url).resolve('dockerode'));
const MODEM = require_.resolve('docker-modem/lib/modem.js');

describe('patchSource: edits of bundled modules', () => {
  it("docker-modem formats a request's options only when its debug log is on", () => {
    const source = readFileSync(MODEM, 'utf8');
    const patched = patchSource(MODEM, source);
    expect(patched).toContain("if (debug.enabled) debug('Sending: %s', util.inspect(options, {");
    expect(patched.length - source.length).toBe('if (debug.enabled) '.length);
  });

  it.each([
    ['missing', 'module.exports = 1;\n', 'found 0'],
    [
      'twice',
      "debug('Sending: %s', util.inspect(options, {\ndebug('Sending: %s', util.inspect(options, {\n",
      'found 2',
    ],
  ])('a docker-modem whose text is not the one expected (%s) fails the build', (_n, text, found) => {
    expect(() => patchSource('/x/node_modules/docker-modem/lib/modem.js', text)).toThrow(found);
  });

  it('other modules are left as they are', () => {
    const text = "debug('Sending: %s', util.inspect(options, {";
    expect(patchSource('/x/node_modules/other/lib/modem.js', text)).toBe(text);
  });
});
