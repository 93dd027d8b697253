import type { Command } from 'commander';
import type { ExitBox } from '../exit-box.js';
import { LIMITS_HELP, POLICY_HELP } from '../options.js';
import type { ValidateOpts } from '../actions/validate.js';

export function registerValidate(program: Command, exit: ExitBox): void {
  program
    .command('validate')
    .description(
      'Check files offline (no Docker needed): schema, compose keys, references. Exit 1 on any error.',
    )
    .requiredOption('-f, --file <path>', 'a compose file, a CR-shaped YAML file, or a directory of them')
    .option('--limits <spec>', LIMITS_HELP)
    .option('--policy <file>', POLICY_HELP)
    .action(async (opts: ValidateOpts) => {
      const { validate } = await import('../actions/validate.js');
      validate(opts, exit);
    });
}
