/**
 * The image reference grammar of the distribution project (github.com/distribution/reference),
 * which `docker service create` and the Swarm manager use to parse `image:` (ParseNormalizedNamed):
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [domain "/"] path-component ["/" path-component]*
 *   domain     := domain-component ["." domain-component]* [":" port-number]   (or an [IPv6] literal)
 *   path-component := [a-z0-9]+ (separator [a-z0-9]+)*     separator := [_.] | "__" | "-"+
 *   tag        := [\w][\w.-]{0,127}
 *   digest     := algorithm ":" hex{32,}
 * and the whole name is at most 255 characters.
 */
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`,
);
const NAME_MAX = 255;

export const IMAGE_RULE =
  'the distribution reference grammar: [registry[:port]/]path[:tag][@digest], path components of [a-z0-9] joined by ".", "_", "__" or "-", a tag of at most 128 [A-Za-z0-9_.-] characters';

/** Why Docker would refuse this image reference, in its own words; undefined when valid. */
export function imageReferenceProblem(image: string): string | undefined {
  if (image.trim() === '')
    return 'the image is empty; Swarm refuses it: "ContainerSpec: image reference must be provided" (swarmkit validateImage)';
  const m = REFERENCE.exec(image);
  if (!m) {
    const why = REFERENCE.test(lowerPath(image))
      ? 'invalid reference format: repository name must be lowercase'
      : 'invalid reference format';
    return `${JSON.stringify(image)} is refused by Swarm: "ContainerSpec: ${JSON.stringify(image)} is not a valid repository/tag" (${why}; ${IMAGE_RULE})`;
  }
  const name = m[1] ?? '';
  if (name.length > NAME_MAX)
    return `the image name has ${name.length} characters; Docker refuses it: "repository name must not be more than ${NAME_MAX} characters"`;
  return undefined;
}

/** The reference with its path (not the registry host, not the tag) in lower case. */
function lowerPath(image: string): string {
  const at = image.indexOf('@');
  const name = at < 0 ? image : image.slice(0, at);
  const digest = at < 0 ? '' : image.slice(at);
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const rest = hasDomain ? name.slice(slash + 1) : name;
  const colon = rest.lastIndexOf(':');
  const path = colon < 0 ? rest : rest.slice(0, colon);
  const tag = colon < 0 ? '' : rest.slice(colon);
  return `${hasDomain ? `${first}/` : ''}${path.toLowerCase()}${tag}${digest}`;
}
