import { describe, expect, it } from 'vitest';
import {
  normalizeRepoUrl,
  parsePayload,
  payloadRepoUrls,
} from '../../../controllers/sources/git-webhook-payload.js';

describe('normalizeRepoUrl', () => {
  it.each<[string, string]>([
    ['https://github.com/Org/Infra.git', 'github.com/org/infra'],
    ['https://github.com/org/infra/', 'github.com/org/infra'],
    ['http://127.0.0.1:8080/r.git', '127.0.0.1/r'],
    ['git@github.com:Org/infra.git', 'github.com/org/infra'],
    ['ssh://git@github.com:22/org/infra.git', 'github.com/org/infra'],
    ['ssh://github.com/org/infra', 'github.com/org/infra'],
    ['git://github.com/org/infra.git', 'github.com/org/infra'],
    ['file:///srv/Repos/a.git', 'file:/srv/Repos/a'],
    ['file:///srv/my%20repo.git/', 'file:/srv/my repo'],
  ])('%s -> %s', (url, want) => expect(normalizeRepoUrl(url)).toBe(want));
});

describe('payloadRepoUrls', () => {
  it.each<[string, unknown, string[]]>([
    [
      'GitHub / Gitea',
      {
        repository: {
          clone_url: 'https://h/o/r.git',
          ssh_url: 'git@h:o/r.git',
          html_url: 'https://h/o/r',
          name: 'r',
        },
      },
      ['h/o/r'],
    ],
    [
      'GitLab',
      {
        project: {
          git_http_url: 'https://gl/g/p.git',
          git_ssh_url: 'git@gl:g/p.git',
          web_url: 'https://gl/g/p',
        },
      },
      ['gl/g/p'],
    ],
    ['file URL', { repository: { clone_url: 'file:///srv/r.git' } }, ['file:/srv/r']],
    ['no repository', { zen: 'x' }, []],
    ['not an object', 'x', []],
    ['non-string fields are ignored', { repository: { clone_url: 3, url: null } }, []],
  ])('%s', (_n, payload, want) => expect(payloadRepoUrls(payload)).toEqual(want));
});

describe('parsePayload', () => {
  it.each<[string, string | undefined, unknown]>([
    ['{"a":1}', 'application/json', { a: 1 }],
    [`payload=${encodeURIComponent('{"a":2}')}`, 'application/x-www-form-urlencoded', { a: 2 }],
    ['a=1', 'application/x-www-form-urlencoded', undefined],
    ['{broken', 'application/json', undefined],
    ['{"a":3}', undefined, { a: 3 }],
  ])('%s (%s)', (body, type, want) => expect(parsePayload(Buffer.from(body), type)).toEqual(want));
});
