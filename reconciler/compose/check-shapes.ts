import { stripIgnoredKeys } from './ignored-keys.js';
import { errorMap, reportIssues, shapeIssues } from './issues.js';
import { type ComposeLayer, withoutResets } from './merge.js';
import { isMap } from './merge-service.js';
import { Problems } from './problems.js';
import { projectSchema } from './schema-top.js';

/**
 * One file of several (or one read for `extends` or `include`), checked on its own as docker does
 * before it merges them: a value of the wrong shape is an error even where a later file sets the same
 * field (the merge would hide it). Problems are located in this file.
 */
export function checkShapes(layer: ComposeLayer, problems: Problems): void {
  // what the merged project loses before its validation: `profiles`, `extends` (a file read for
  // extends or include has its own, checked where they are resolved), and the keys docker ignores
  const tree = structuredClone(withoutResets(layer.value, layer.tags));
  const services = isMap(tree) ? tree['services'] : undefined;
  if (isMap(services))
    for (const svc of Object.values(services))
      if (isMap(svc)) {
        delete svc['profiles'];
        delete svc['extends'];
      }
  stripIgnoredKeys(tree, layer.file, new Problems(layer.file, layer.lineOf));
  const parsed = projectSchema.safeParse(tree, {
    reportInput: true,
    error: errorMap,
  });
  if (parsed.success) return;
  problems.locateWith((path) => layer.origins?.(path) ?? { file: layer.file, line: layer.lineOf(path) });
  reportIssues(shapeIssues(parsed.error.issues), problems);
}
