import { describe, expect, it } from 'vitest';
import { deliveryIds } from '../../../controllers/observability/webhook-replay.js';

describe('deliveryIds', () => {
  it.each<[string, Record<string, string | string[] | undefined>, string[]]>([
    ['GitHub', { 'x-github-delivery': 'abc' }, ['x-github-delivery:abc']],
    ['Gitea', { 'x-gitea-delivery': ' d1 ' }, ['x-gitea-delivery:d1']],
    ['Gogs', { 'x-gogs-delivery': 'g' }, ['x-gogs-delivery:g']],
    [
      'GitLab, both',
      { 'x-gitlab-event-uuid': 'u', 'idempotency-key': 'k' },
      ['x-gitlab-event-uuid:u', 'idempotency-key:k'],
    ],
    ['repeated header: the first', { 'x-github-delivery': ['a', 'b'] }, ['x-github-delivery:a']],
    ['none', { 'x-github-event': 'push' }, []],
    ['empty', { 'x-github-delivery': '' }, []],
  ])('%s', (_name, headers, ids) => {
    expect(deliveryIds(headers)).toEqual(ids);
  });
});
