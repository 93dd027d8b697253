import { describe, expect, it } from 'vitest';
import type { Labels } from '../../../reconciler/model/engine-types.js';
import type { DesiredConfig, ObservedObject } from '../../../reconciler/model/objects.js';
import {
  LABEL_CONTENT_HASH,
  LABEL_INSTANCE,
  LABEL_LOGICAL_NAME,
  LABEL_STACK_NAMESPACE,
} from '../../../reconciler/model/ownership.js';
import { resolveRefNames } from '../../../reconciler/plan/ref-names.js';
import { cfg, OPTS, OWN, OWNER, sec, STACK_LABELS, svc } from './fixtures.js';

const file = (n: string) => ({ Name: `/run/${n}`, UID: '0', GID: '0', Mode: 0o444 });
const c = cfg('c', 'content');
const other = cfg('other', 'more');
const web = svc(
  'web',
  {},
  {
    Configs: [
      { ConfigName: c.name, File: file('c') },
      { ConfigName: other.name, File: file('o') },
    ],
  },
);
const seen = (
  kind: ObservedObject['kind'],
  name: string,
  labels: Labels,
  spec: unknown = {},
): ObservedObject => ({
  kind,
  id: `${kind}-${name}`,
  name,
  labels,
  spec,
});
/** c as this owner keeps it under docker's name `app_c` (adopted before). */
const ownedAs = (kind: ObservedObject['kind'], name: string) =>
  seen(kind, name, { ...OWN, [LABEL_LOGICAL_NAME]: c.logicalName, [LABEL_CONTENT_HASH]: c.hash });
/** c as `docker stack deploy` made it. */
const dockerMade = (labels: Labels = STACK_LABELS, spec: unknown = { Data: c.spec.Data }) =>
  seen('config', c.logicalName, labels, spec);

const resolve = (observed: ObservedObject[], adopt = false, d: DesiredConfig = c) =>
  resolveRefNames([d, other, web], observed, OWNER, { ...OPTS, adopt });
const configName = (observed: ObservedObject[], adopt = false, d: DesiredConfig = c) =>
  resolve(observed, adopt, d).objects[0]?.name;

describe('resolveRefNames: which object a desired config is', () => {
  it('an owned config of the same content under another name is used, and the service follows it', () => {
    const r = resolve([ownedAs('config', 'app_c')]);
    expect(r.objects[0]).toStrictEqual({ ...c, name: 'app_c', spec: { ...c.spec, Name: 'app_c' } });
    expect(r.adopted).toEqual(new Set());
    expect(r.objects[2]).toStrictEqual(
      svc(
        'web',
        {},
        {
          Configs: [
            { ConfigName: 'app_c', File: file('c') },
            { ConfigName: other.name, File: file('o') },
          ],
        },
      ),
    );
  });

  it.each<[string, ObservedObject[], boolean, string]>([
    [
      'the hashed name exists too: it is used',
      [ownedAs('config', 'app_c'), seen('config', c.name, OWN)],
      false,
      c.name,
    ],
    ['a secret of the same content is no config', [ownedAs('secret', 'app_c')], false, c.name],
    [
      'a secret with the hashed name does not hide the owned config',
      [seen('secret', c.name, OWN), ownedAs('config', 'app_c')],
      false,
      'app_c',
    ],
    ['adopt: an equal config docker made is adopted', [dockerMade()], true, 'app_c'],
    ['adopt: one of another stack is not', [dockerMade({ [LABEL_STACK_NAMESPACE]: 'other' })], true, c.name],
    [
      'adopt: one with an instance label is not',
      [dockerMade({ ...STACK_LABELS, [LABEL_INSTANCE]: 'i9' })],
      true,
      c.name,
    ],
    ['adopt: one whose content cannot be read is not', [dockerMade(STACK_LABELS, null)], true, c.name],
  ])('%s', (_n, observed, adopt, want) => {
    expect(configName(observed, adopt)).toBe(want);
  });

  it('adopt: a desired config without stack namespace adopts nothing, not even an unlabelled config', () => {
    const bare: DesiredConfig = { ...c, spec: { Name: c.name, Data: c.spec.Data } };
    expect(configName([dockerMade({})], true, bare)).toBe(c.name);
  });

  it('adopt: a secret is adopted under its name, its refs renamed', () => {
    const s = sec('s', 'pw');
    const user = svc('web', {}, { Secrets: [{ SecretName: s.name, File: file('s') }] });
    const made = seen('secret', s.logicalName, STACK_LABELS);
    const r = resolveRefNames([s, user], [made], OWNER, { ...OPTS, adopt: true });
    expect(r.objects[0]).toStrictEqual({
      ...s,
      name: s.logicalName,
      spec: { ...s.spec, Name: s.logicalName },
    });
    expect(r.adopted).toEqual(new Set([`secret/${s.logicalName}`]));
    expect(r.objects[1]).toStrictEqual(
      svc('web', {}, { Secrets: [{ SecretName: s.logicalName, File: file('s') }] }),
    );
  });
});
