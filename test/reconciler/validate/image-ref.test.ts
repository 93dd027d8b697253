import { describe, expect, it } from 'vitest';
import { imageReferenceProblem } from '../../../reconciler/validate/image-ref.js';

describe('imageReferenceProblem (distribution reference grammar)', () => {
  it.each([
    'busybox',
    'local/busybox:1',
    'library/busybox:latest',
    'registry.example.com:5000/team/app:1.0',
    'Registry.Example.com/app',
    'localhost/app:dev',
    '[::1]:5000/app:1',
    'a__b/c--d/e.f_g:TAG_1.x-y',
    `app@sha256:${'0'.repeat(64)}`,
    `app:1@sha256:${'f'.repeat(64)}`,
  ])('accepts %s', (image) => expect(imageReferenceProblem(image)).toBeUndefined());

  it.each([
    ['', 'image reference must be provided'],
    ['  ', 'image reference must be provided'],
    ['Busybox', 'repository name must be lowercase'],
    ['local/BusyBox:1', 'repository name must be lowercase'],
    // only the path is folded to tell a case problem: registry host, tag and digest keep their case
    ['Registry.Example.com/App:Tag', 'repository name must be lowercase'],
    ['example.com:5000/Team/app', 'repository name must be lowercase'],
    ['localhost/App', 'repository name must be lowercase'],
    [`App:V1@sha256:${'f'.repeat(64)}`, 'repository name must be lowercase'],
    ['Bad Name', '"invalid reference format;'],
    ['example.com/Bad Name', '"invalid reference format;'],
    [`App@sha256:abc`, '"invalid reference format;'],
    ['busybox:1:2', '"invalid reference format;'],
    ['a___b', 'invalid reference format;'],
    ['-app', 'invalid reference format;'],
    ['app-', 'invalid reference format;'],
    ['app:.1', 'invalid reference format;'],
    ['app@sha256:abc', 'invalid reference format;'],
    [`app:${'t'.repeat(129)}`, 'invalid reference format;'],
    ['app name', 'invalid reference format;'],
    [`${'a'.repeat(256)}`, 'must not be more than 255 characters'],
  ])('refuses %j', (image, why) => {
    const problem = imageReferenceProblem(image);
    expect(problem).toBeDefined();
    expect(problem?.replace('(invalid reference format;', '"invalid reference format;')).toContain(why);
  });
});
