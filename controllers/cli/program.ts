/**
 * The CLI's commands and global options (commander). Every command's definition is here, and only
 * its definition: what a command does is imported by its action (actions/), so --help and the
 * parsing of any command load commander and these few small modules only.
 */
import { Command } from 'commander';
import { formatBytes, parseSizeOption } from '../../reconciler/units/size.js';
import { DEFAULT_SOURCE_LIMITS, setSourceLimits } from '../sources/safe-read.js';
import { registerApply } from './commands/apply.js';
import { registerCrds } from './commands/crds.js';
import { registerPlan } from './commands/plan.js';
import { registerRun } from './commands/run.js';
import { registerStatus } from './commands/status.js';
import { registerSync } from './commands/sync.js';
import { registerValidate } from './commands/validate.js';
import type { ExitBox } from './exit-box.js';
import { VERSION } from './version.js';

/** `runHelp`: the text after run's options (run-help.ts), '' when run is not the command. */
export function buildProgram(exit: ExitBox, runHelp = ''): Command {
  const program = new Command('swarmkeeper')
    .description('A Kubernetes-style reconciling controller for Docker Swarm')
    .version(VERSION)
    .option(
      '--instance-id <id>',
      'ownership id of this swarmkeeper installation (labels swarmkeeper.io/instance)',
      process.env['SWARMKEEPER_INSTANCE_ID'] ?? 'default',
    )
    .option(
      '--secret-hash-key-file <path>',
      'key of the keyed hash in secret names (>= 16 bytes; or env SWARMKEEPER_SECRET_HASH_KEY_FILE); ' +
        'default: a per-instance key kept in the Swarm config swarmkeeper-secret-hash-key.<instance>',
    )
    .option(
      '--log-level <level>',
      'pino log level (trace, debug, info, warn, error); default: error, and info for run',
      process.env['SWARMKEEPER_LOG_LEVEL'],
    )
    .option(
      '--max-file-size <size>',
      `largest file read from a source: YAML, env_file, config and secret files (e.g. 8MiB; default ${formatBytes(DEFAULT_SOURCE_LIMITS.maxFileBytes)})`,
      process.env['SWARMKEEPER_MAX_FILE_SIZE'],
    )
    .option(
      '--max-source-size <size>',
      `most bytes read from one source in one load, or by one reconcile (default ${formatBytes(DEFAULT_SOURCE_LIMITS.maxSourceBytes)})`,
      process.env['SWARMKEEPER_MAX_SOURCE_SIZE'],
    )
    .hook('preAction', async (cmd) => {
      const problem = await applySourceLimits(cmd.opts());
      if (problem) cmd.error(`error: ${problem}`);
    })
    .showHelpAfterError()
    .exitOverride();
  registerValidate(program, exit);
  registerPlan(program, exit);
  registerApply(program, exit);
  registerStatus(program, exit);
  registerRun(program, exit, runHelp);
  registerSync(program, exit);
  registerCrds(program, exit);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** `--max-file-size` and `--max-source-size`: sizes like 4194304, 512k, 8MiB, 1g. */
async function applySourceLimits(opts: {
  maxFileSize?: string;
  maxSourceSize?: string;
}): Promise<string | undefined> {
  let problem: string | undefined;
  const size = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = parseSizeOption(v);
    if (n === undefined)
      problem ??= `${flag} ${JSON.stringify(v)}: expected a size such as 4194304, 512k or 8MiB`;
    return n;
  };
  const maxFileBytes = size('--max-file-size', opts.maxFileSize);
  const maxSourceBytes = size('--max-source-size', opts.maxSourceSize);
  // the YAML parser's module is loaded by the commands that read files, not by --help or --version
  if (maxFileBytes !== undefined)
    (await import('../../reconciler/source/yaml-guard.js')).setYamlBounds({ maxChars: maxFileBytes });
  setSourceLimits({
    ...(maxFileBytes !== undefined ? { maxFileBytes } : {}),
    ...(maxSourceBytes !== undefined ? { maxSourceBytes } : {}),
  });
  return problem;
}
