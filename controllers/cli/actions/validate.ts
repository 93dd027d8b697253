import '../zod-jitless.js';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { parseResource } from '../../../reconciler/api/parse.js';
import { desiredFor, PLANNED_KINDS } from '../../../reconciler/desired/desired-for.js';
import { asSwarmkeeperError } from '../../../reconciler/errors.js';
import { fsFileReader } from '../../sources/fs-file-reader.js';
import { loadForCli } from '../load-source.js';
import type { ExitBox } from '../exit-box.js';
import { printWarnings, stackSettingsOf } from '../stack-options.js';

export interface ValidateOpts {
  file: string;
  limits?: string;
  policy?: string;
}

export function validate(opts: ValidateOpts, exit: ExitBox): void {
  const stack = stackSettingsOf(opts);
  const src = loadForCli(opts.file, statSync(opts.file, { throwIfNoEntry: false })?.isDirectory() ?? false);
  let failed = src.errors.length > 0;
  for (const res of src.ordered) {
    try {
      if ((PLANNED_KINDS as readonly string[]).includes(res.kind)) {
        const d = desiredFor(res, {
          instanceId: 'validate',
          // offline: the names are not shown, any key does
          secretHashKey: randomBytes(32),
          files: fsFileReader(src.root),
          env: stack.env,
          limits: stack.limits,
          policy: stack.policyFor(res),
          bindRoot: src.root,
        });
        printWarnings(d.warnings);
        process.stdout.write(
          `ok  ${res.key} (${res.origin.file}): ${d.desired.objects.length} Swarm objects\n`,
        );
      } else {
        parseResource(res.document ?? {}, res.origin.file);
        process.stdout.write(`ok  ${res.key} (${res.origin.file})\n`);
      }
    } catch (e) {
      failed = true;
      const err = asSwarmkeeperError(e);
      process.stderr.write(`error: ${err.message} (${err.code})\n`);
    }
  }
  exit.code = failed ? 1 : 0;
}
