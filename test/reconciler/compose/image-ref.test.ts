import { describe, expect, it } from 'vitest';
import { normalizeImage, parseImageReference } from '../../../reconciler/compose/image-ref.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('normalizeImage: what the Docker client writes to ContainerSpec.Image', () => {
  it.each([
    ['nginx', 'nginx:latest'],
    ['nginx:1.25', 'nginx:1.25'],
    ['library/nginx', 'nginx:latest'],
    ['docker.io/library/busybox', 'busybox:latest'],
    ['index.docker.io/library/busybox:1', 'busybox:1'],
    ['docker.io/foo/bar', 'foo/bar:latest'],
    ['foo/bar', 'foo/bar:latest'],
    ['local/busybox:1', 'local/busybox:1'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['example.com:5000/team/app:v1', 'example.com:5000/team/app:v1'],
    ['ghcr.io/o/r', 'ghcr.io/o/r:latest'],
    [`nginx@${D}`, `nginx@${D}`],
    [`nginx:1@${D}`, `nginx:1@${D}`],
    [`docker.io/library/nginx@${D}`, `nginx@${D}`],
    ['Registry.Example.com/app', 'Registry.Example.com/app:latest'],
    ['docker.io/library/foo/bar', 'library/foo/bar:latest'],
    ['index.docker.io/foo/bar', 'foo/bar:latest'],
    ['docker.io/foo', 'foo:latest'],
    ['docker.io/libraryx', 'libraryx:latest'],
    ['foo/library/bar', 'foo/library/bar:latest'],
    ['example.com/library/x', 'example.com/library/x:latest'],
    ['[::1]:5000/app:1', '[::1]:5000/app:1'],
    ['a'.repeat(64), 'a'.repeat(64)],
    ['Nginx', 'Nginx'],
    ['bad image', 'bad image'],
  ])('%s -> %s', (input, want) => {
    expect(normalizeImage(input)).toBe(want);
  });

  it('is idempotent', () => {
    for (const s of ['nginx', 'foo/bar', 'ghcr.io/o/r:1', `x@${D}`])
      expect(normalizeImage(normalizeImage(s))).toBe(normalizeImage(s));
  });

  it('splits name, tag and digest', () => {
    expect(parseImageReference(`nginx:1@${D}`)).toStrictEqual({
      name: 'docker.io/library/nginx',
      tag: '1',
      digest: D,
    });
    expect(parseImageReference('ghcr.io/o/r')).toStrictEqual({ name: 'ghcr.io/o/r' });
  });

  it.each([
    ['localhost/app', 'localhost/app'],
    ['example.com/app', 'example.com/app'],
    ['host:5000/app', 'host:5000/app'],
    // a first part with capitals is a registry host, never a (lowercase) repository path
    ['MyReg/app', 'MyReg/app'],
    ['team/app', 'docker.io/team/app'],
    // 255 characters with the implied docker.io/ is the longest name
    [`a/${'b'.repeat(243)}`, `docker.io/a/${'b'.repeat(243)}`],
  ])('the registry host of %s', (input, name) => {
    expect(parseImageReference(input).name).toBe(name);
  });

  it('a tag may have capitals; only the repository must be lowercase', () => {
    expect(parseImageReference('nginx:V1')).toStrictEqual({ name: 'docker.io/library/nginx', tag: 'V1' });
  });

  it.each([
    [
      `a/${'b'.repeat(244)}`,
      'invalid reference format: repository name must not be more than 255 characters',
    ],
    [
      'a'.repeat(64),
      `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`,
    ],
    ['Nginx', 'invalid reference format: repository name (library/Nginx) must be lowercase'],
    ['nginx:', 'invalid reference format'],
    ['nginx@sha256:abc', 'invalid reference format'],
    ['-x', 'invalid reference format'],
    [
      `a/${'b'.repeat(260)}`,
      'invalid reference format: repository name must not be more than 255 characters',
    ],
  ])('rejects %s', (input, message) => {
    expect(() => parseImageReference(input)).toThrow(message);
  });
});
