/**
 * Image references the way the Docker client writes them into a ServiceSpec (docker stack deploy
 * with --resolve-image never): parsed with the distribution reference grammar, `:latest` added when
 * there is neither a tag nor a digest, and printed in the familiar form (`docker.io/library/nginx`
 * -> `nginx:latest`). The `com.docker.stack.image` label keeps the text of the compose file.
 */

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
export const REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);
const IDENTIFIER = /^[a-f0-9]{64}$/;
const DEFAULT_DOMAIN = 'docker.io';
export const NAME_MAX = 255;

export interface ImageReference {
  /** Full name, with the domain (`docker.io/library/nginx`). */
  name: string;
  tag?: string;
  digest?: string;
}

/** `docker.io` and `library/` are implied for names without a registry, like docker/cli. */
function splitDomain(ref: string): { domain: string; remainder: string } {
  const i = ref.indexOf('/');
  const first = i === -1 ? '' : ref.slice(0, i);
  let domain = DEFAULT_DOMAIN;
  let remainder = ref;
  if (i !== -1 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)) {
    domain = first;
    remainder = ref.slice(i + 1);
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = `library/${remainder}`;
  return { domain, remainder };
}

/** Parses a reference as the Docker client does; throws `invalid reference format…` errors. */
export function parseImageReference(ref: string): ImageReference {
  if (IDENTIFIER.test(ref))
    throw new Error(`invalid repository name (${ref}), cannot specify 64-byte hexadecimal strings`);
  const { domain, remainder } = splitDomain(ref);
  const remoteName = remainder.split(/[:@]/)[0] ?? remainder;
  if (remoteName.toLowerCase() !== remoteName)
    throw new Error(`invalid reference format: repository name (${remoteName}) must be lowercase`);
  const m = REFERENCE.exec(`${domain}/${remainder}`);
  if (!m) throw new Error('invalid reference format');
  const name = m[1] ?? '';
  if (name.length > NAME_MAX)
    throw new Error(`invalid reference format: repository name must not be more than ${NAME_MAX} characters`);
  return {
    name,
    ...(m[2] === undefined ? {} : { tag: m[2] }),
    ...(m[3] === undefined ? {} : { digest: m[3] }),
  };
}

/** `docker.io/library/nginx` -> `nginx`, `docker.io/foo/bar` -> `foo/bar`; other registries as is. */
function familiarName(name: string): string {
  if (!name.startsWith(`${DEFAULT_DOMAIN}/`)) return name;
  const path = name.slice(DEFAULT_DOMAIN.length + 1);
  const official = path.startsWith('library/') ? path.slice('library/'.length) : undefined;
  return official !== undefined && !official.includes('/') ? official : path;
}

/**
 * The image as the Docker client sends it: familiar name, `:latest` when neither tag nor digest is
 * given. A full image ID, or text that is no reference, is returned unchanged (the client does too).
 */
export function normalizeImage(ref: string): string {
  let parsed: ImageReference;
  try {
    parsed = parseImageReference(ref);
  } catch {
    return ref;
  }
  const tag = parsed.tag ?? (parsed.digest === undefined ? 'latest' : undefined);
  return `${familiarName(parsed.name)}${tag === undefined ? '' : `:${tag}`}${
    parsed.digest === undefined ? '' : `@${parsed.digest}`
  }`;
}
