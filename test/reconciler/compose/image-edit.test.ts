import { describe, expect, it } from 'vitest';
import { type ComposeText, editServiceImage } from '../../../reconciler/compose/image-edit.js';

const TO = 'reg:5000/app:1.3.0';
const one = (text: string): ComposeText[] => [{ file: 'stack/compose.yml', text }];

describe('editServiceImage: only the image value changes', () => {
  it.each([
    [
      'plain, with comments',
      '# top comment\nservices:\n  web:\n    image: reg:5000/app:1.2.1 # pinned by hand\n    ports: ["80:80"]\n  db:\n    image: postgres:16\n',
      '# top comment\nservices:\n  web:\n    image: reg:5000/app:1.3.0 # pinned by hand\n    ports: ["80:80"]\n  db:\n    image: postgres:16\n',
    ],
    [
      'double quoted',
      'services:\n  web:\n    image: "reg:5000/app:1.2.1"\n',
      'services:\n  web:\n    image: "reg:5000/app:1.3.0"\n',
    ],
    [
      'single quoted',
      "services:\n  web:\n    image: 'reg:5000/app:1.2.1'\n",
      "services:\n  web:\n    image: 'reg:5000/app:1.3.0'\n",
    ],
    [
      'flow map, odd indentation, CRLF',
      'services:\r\n   web: { image: reg:5000/app:1.2.1,  replicas: 2 }\r\n',
      'services:\r\n   web: { image: reg:5000/app:1.3.0,  replicas: 2 }\r\n',
    ],
    [
      'an anchor elsewhere in the file is kept',
      'x-base: &base\n  restart: always\nservices:\n  web:\n    <<: *base\n    image: reg:5000/app:1.2.1\n',
      'x-base: &base\n  restart: always\nservices:\n  web:\n    <<: *base\n    image: reg:5000/app:1.3.0\n',
    ],
  ])('%s', (_name, before, after) => {
    const r = editServiceImage(one(before), 'web', TO);
    expect(r).toEqual({
      ok: true,
      file: 'stack/compose.yml',
      from: 'reg:5000/app:1.2.1',
      text: after,
      changed: true,
    });
  });

  it('writes tag@digest (digest policy)', () => {
    const to = `reg:5000/app:1@sha256:${'a'.repeat(64)}`;
    const r = editServiceImage(one('services:\n  web:\n    image: reg:5000/app:1\n'), 'web', to);
    expect(r.ok && r.text).toBe(`services:\n  web:\n    image: ${to}\n`);
  });

  it('an image already written is no change', () => {
    const text = `services:\n  web:\n    image: ${TO}\n`;
    expect(editServiceImage(one(text), 'web', TO)).toEqual({
      ok: true,
      file: 'stack/compose.yml',
      from: TO,
      text,
      changed: false,
    });
  });
});

describe('editServiceImage refuses what is not written literally, naming file and line', () => {
  it.each([
    [
      'an alias',
      'x-img: &img reg:5000/app:1.2.1\nservices:\n  web:\n    image: *img\n',
      /^stack\/compose\.yml:4: .*alias \(\*img\)/,
    ],
    [
      'a merge key',
      'x-base: &base\n  image: reg:5000/app:1.2.1\nservices:\n  web:\n    <<: *base\n',
      /^stack\/compose\.yml:5: .*merge key/,
    ],
    [
      'a service from an alias',
      'x-web: &web\n  image: reg:5000/app:1.2.1\nservices:\n  web: *web\n',
      /^stack\/compose\.yml:4: service web comes from an alias/,
    ],
    [
      'an anchored image',
      'services:\n  web:\n    image: &img reg:5000/app:1.2.1\n  worker:\n    image: *img\n',
      /^stack\/compose\.yml:3: .*anchor \(&img\)/,
    ],
    [
      'interpolation ${VAR}',
      'services:\n  web:\n    image: reg:5000/app:${TAG}\n',
      /^stack\/compose\.yml:3: .*interpolated \(reg:5000\/app:\$\{TAG\}\)/,
    ],
    [
      'interpolation $VAR',
      'services:\n  web:\n    image: $IMAGE\n',
      /^stack\/compose\.yml:3: .*interpolated/,
    ],
    ['a block scalar', 'services:\n  web:\n    image: >-\n      reg:5000/app:1.2.1\n', /:3: .*block scalar/],
    ['not a string', 'services:\n  web:\n    image: 12\n', /:3: .*not a string/],
    ['a file that does not parse', 'services:\n  web: [\n', /^stack\/compose\.yml:\d+: does not parse/],
    [
      'no image at all',
      'services:\n  web:\n    replicas: 1\n',
      /no file of stack\/compose\.yml sets the image of service web/,
    ],
    [
      'a changed image (expected)',
      'services:\n  web:\n    image: reg:5000/app:9\n',
      /:3: .*is reg:5000\/app:9 in git, not reg:5000\/app:1\.2\.1/,
    ],
  ])('%s', (_name, text, error) => {
    const r = editServiceImage(one(text), 'web', TO, 'reg:5000/app:1.2.1');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(error);
  });

  it('refuses a value that is no image reference', () => {
    const r = editServiceImage(one('services:\n  web:\n    image: a\n'), 'web', 'a: b\nx');
    expect(r.ok).toBe(false);
  });
});

describe('editServiceImage over several compose files (overlay order)', () => {
  const base = {
    file: 'base.yml',
    text: 'services:\n  web:\n    image: reg:5000/app:1.0.0\n    replicas: 1\n',
  };
  const prod = { file: 'prod.yml', text: 'services:\n  web:\n    image: reg:5000/app:1.2.1\n' };
  const scale = { file: 'scale.yml', text: 'services:\n  web:\n    replicas: 3\n' };

  it.each([
    ['the last file that sets it', [base, prod, scale], 'prod.yml', 'reg:5000/app:1.2.1'],
    ['the only file that sets it', [base, scale], 'base.yml', 'reg:5000/app:1.0.0'],
  ])('edits %s', (_name, files, file, from) => {
    const r = editServiceImage(files, 'web', TO);
    expect(r.ok && { file: r.file, from: r.from }).toEqual({ file, from });
    expect(r.ok && r.text).toContain(`image: ${TO}`);
    const untouched = files.find((f) => f.file === file)!.text.replace(from, TO);
    expect(r.ok && r.text).toBe(untouched);
  });

  it('a later file that sets the image through interpolation refuses the edit', () => {
    const env = { file: 'env.yml', text: 'services:\n  web:\n    image: reg:5000/app:${TAG}\n' };
    const r = editServiceImage([base, env], 'web', TO);
    expect(!r.ok && r.error).toMatch(/^env\.yml:3: /);
  });
});
