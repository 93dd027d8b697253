// Digests, a tag and a platform list shared by the image pinning and image update tests.
import type { DesiredService } from '../../../reconciler/model/objects.js';
import { LABEL_STACK_IMAGE } from '../../../reconciler/model/ownership.js';
import { STACK_LABELS, svc } from './fixtures.js';

export const D1 = `sha256:${'1'.repeat(64)}`;
export const D2 = `sha256:${'2'.repeat(64)}`;
export const TAG = 'reg:5000/app:1';
export const AMD64 = [{ Architecture: 'amd64', OS: 'linux' }];

/**
 * A service as the compose loader makes it: the image text in com.docker.stack.image (`label`, the
 * image itself by default), or no labels at all (`false`).
 */
export function app(image = TAG, label: string | false = image): DesiredService {
  const s = svc('app', {}, { Image: image });
  s.spec.Labels = label === false ? undefined : { ...STACK_LABELS, [LABEL_STACK_IMAGE]: label };
  return s;
}
