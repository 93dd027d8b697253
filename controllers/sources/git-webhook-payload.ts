/**
 * What a forge's push webhook says about the repository, reduced to comparable URLs: GitHub and
 * Gitea send `repository.clone_url/ssh_url/html_url`, GitLab `project.git_http_url/git_ssh_url`
 * (and `repository.git_http_url/...`). GitHub may post `application/x-www-form-urlencoded` with the
 * JSON in a `payload` field.
 */

const URL_FIELDS = [
  'clone_url',
  'ssh_url',
  'git_url',
  'html_url',
  'svn_url',
  'url',
  'git_http_url',
  'git_ssh_url',
  'http_url',
  'web_url',
  'homepage',
];

/**
 * `https://Host/org/repo.git/`, `git@host:org/repo`, `ssh://git@host:22/org/repo` -> `host/org/repo`
 * (scheme, user, port, `.git` and case dropped: forges treat paths case-insensitively); file URLs
 * keep their path as is.
 */
export function normalizeRepoUrl(raw: string): string {
  const s = raw.trim();
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(s);
  let out: string;
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(s))
    out = `${scp[1]!}/${scp[2]!.replace(/^\/+/, '')}`.toLowerCase();
  else {
    try {
      const u = new URL(s);
      out =
        u.protocol === 'file:'
          ? `file:${decodeURIComponent(u.pathname)}`
          : `${u.hostname.toLowerCase()}${decodeURIComponent(u.pathname)}`.toLowerCase();
    } catch {
      out = s;
    }
  }
  return out.replace(/\/+$/, '').replace(/\.git$/, '');
}

/** The JSON payload of a webhook body (JSON, or form-encoded `payload=`); undefined if neither. */
export function parsePayload(body: Buffer, contentType: string | undefined): unknown {
  const text = body.toString('utf8');
  try {
    if (contentType?.includes('application/x-www-form-urlencoded')) {
      const p = new URLSearchParams(text).get('payload');
      return p === null ? undefined : (JSON.parse(p) as unknown);
    }
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Every repository URL a push payload names (normalized, deduplicated). */
export function payloadRepoUrls(payload: unknown): string[] {
  if (typeof payload !== 'object' || payload === null) return [];
  const out = new Set<string>();
  for (const key of ['repository', 'project']) {
    const obj = (payload as Record<string, unknown>)[key];
    if (typeof obj !== 'object' || obj === null) continue;
    for (const f of URL_FIELDS) {
      const v = (obj as Record<string, unknown>)[f];
      if (typeof v === 'string' && v) out.add(normalizeRepoUrl(v));
    }
  }
  return [...out];
}
