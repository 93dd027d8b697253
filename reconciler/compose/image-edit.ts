/**
 * Image write-back, the pure half (controllers/sources/git-write-back.ts does the git side): the
 * `image:` value of one service is replaced in the text of the compose file that sets it, and
 * nothing else of the file changes (comments, quoting, indentation, other services).
 *
 * The file is parsed with the `yaml` Document API only to find the scalar and its byte range; the
 * new value is spliced into the original text in the same quoting style, then parsed again to
 * check that exactly that value changed. An image the file does not set literally is refused and
 * the file left as it is: one that comes from an alias or a merge key (`<<: *base`), one with a
 * variable (`${TAG}`), a block scalar.
 */
import { isAlias, isMap, isScalar, LineCounter, type Node, parseDocument, Scalar } from 'yaml';

export interface ComposeText {
  /** The file's path, as shown in errors. */
  file: string;
  text: string;
}

export type ImageEdit =
  | {
      ok: true;
      /** The file edited (the last of the overlay order that sets the service's image). */
      file: string;
      /** The image the file had. */
      from: string;
      /** The file's new text (the same text when the image was already `to`). */
      text: string;
      changed: boolean;
    }
  | { ok: false; error: string };

type Located = { kind: 'scalar'; node: Scalar; line: number } | { kind: 'refused'; error: string };

const SAFE_PLAIN = /^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$/;

function lineOf(lc: LineCounter, offset: number | undefined): number {
  return offset === undefined ? 0 : lc.linePos(offset).line;
}

/** The service's `image` of one file: undefined when the file does not set it. */
function locate(f: ComposeText, service: string): Located | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(f.text, { lineCounter: lc, merge: true, keepSourceTokens: false });
  if (doc.errors.length > 0)
    return {
      kind: 'refused',
      error: `${f.file}:${lineOf(lc, doc.errors[0]!.pos[0])}: does not parse (${doc.errors[0]!.message.split('\n')[0]})`,
    };
  const at = (n: Node | null | undefined): string => `${f.file}:${lineOf(lc, n?.range?.[0])}`;
  const services = isMap(doc.contents) ? doc.contents.get('services', true) : undefined;
  if (services === undefined || services === null) return undefined;
  if (isAlias(services))
    return { kind: 'refused', error: `${at(services)}: services come from an alias; not edited` };
  if (!isMap(services)) return undefined;
  const svc = services.get(service, true) as Node | undefined;
  if (svc === undefined || svc === null) return undefined;
  if (isAlias(svc))
    return { kind: 'refused', error: `${at(svc)}: service ${service} comes from an alias; not edited` };
  if (!isMap(svc)) return undefined;
  const image = svc.get('image', true) as Node | undefined;
  if (image === undefined || image === null) {
    const merged = svc.items.some(
      (p) =>
        isScalar(p.key) &&
        (p.key.source === '<<' || String(p.key.value) === '<<' || typeof p.key.value === 'symbol'),
    );
    return merged
      ? {
          kind: 'refused',
          error: `${at(svc)}: the image of service ${service} comes from a merge key (<<); not edited`,
        }
      : undefined;
  }
  if (isAlias(image))
    return {
      kind: 'refused',
      error: `${at(image)}: the image of service ${service} is an alias (*${image.source}); not edited`,
    };
  if (!isScalar(image) || typeof image.value !== 'string')
    return { kind: 'refused', error: `${at(image)}: the image of service ${service} is not a string` };
  if (image.value.includes('$'))
    return {
      kind: 'refused',
      error: `${at(image)}: the image of service ${service} is interpolated (${image.value}); not edited`,
    };
  if (image.type !== Scalar.PLAIN && image.type !== Scalar.QUOTE_DOUBLE && image.type !== Scalar.QUOTE_SINGLE)
    return {
      kind: 'refused',
      error: `${at(image)}: the image of service ${service} is a block scalar; not edited`,
    };
  if (image.anchor)
    return {
      kind: 'refused',
      error: `${at(image)}: the image of service ${service} is an anchor (&${image.anchor}) others may use; not edited`,
    };
  return { kind: 'scalar', node: image, line: lineOf(lc, image.range?.[0]) };
}

/** The new value in the style of the old one. */
function render(type: Scalar['type'], image: string): string | undefined {
  if (type === Scalar.QUOTE_DOUBLE) return JSON.stringify(image);
  if (type === Scalar.QUOTE_SINGLE) return `'${image.replace(/'/g, "''")}'`;
  return SAFE_PLAIN.test(image) ? image : undefined;
}

/**
 * Sets the image of compose service `service` to `image` in the file that sets it: the last of
 * `files` (the overlay order) whose `services.<service>.image` is written. `expected`, when given, is
 * the image that file must hold now (or already `image`): git moved on otherwise, and nothing is written.
 */
export function editServiceImage(
  files: readonly ComposeText[],
  service: string,
  image: string,
  expected?: string,
): ImageEdit {
  if (!SAFE_PLAIN.test(image)) return { ok: false, error: `"${image}" is not an image reference` };
  for (let i = files.length - 1; i >= 0; i--) {
    const f = files[i]!;
    const loc = locate(f, service);
    if (loc === undefined) continue;
    if (loc.kind === 'refused') return { ok: false, error: loc.error };
    const from = loc.node.value as string;
    if (from === image) return { ok: true, file: f.file, from, text: f.text, changed: false };
    if (expected !== undefined && from !== expected)
      return {
        ok: false,
        error: `${f.file}:${loc.line}: the image of service ${service} is ${from} in git, not ${expected}; not edited`,
      };
    const [start, end] = loc.node.range ?? [];
    const value = render(loc.node.type, image);
    if (start === undefined || end === undefined || value === undefined)
      return {
        ok: false,
        error: `${f.file}:${loc.line}: the image of service ${service} cannot be rewritten`,
      };
    const text = f.text.slice(0, start) + value + f.text.slice(end);
    const again = locate({ file: f.file, text }, service);
    if (again?.kind !== 'scalar' || again.node.value !== image)
      return { ok: false, error: `${f.file}:${loc.line}: editing the image of service ${service} failed` };
    return { ok: true, file: f.file, from, text, changed: true };
  }
  return {
    ok: false,
    error: `no file of ${files.map((f) => f.file).join(', ')} sets the image of service ${service}`,
  };
}
