/** Loads a compose text with checkDockerRules for `stack`: every problem line, or none when accepted. */
import { loadCompose } from '../../../reconciler/compose/load.js';
import { checkDockerRules } from '../../../reconciler/validate/docker-rules.js';
import { memFiles } from '../compose/helpers.js';

export function dockerRuleProblems(stack: string, text: string): string[] {
  try {
    loadCompose(
      { file: 's.yml', text },
      { env: {}, files: memFiles({}), checks: [(p, pr) => checkDockerRules(p, stack, pr)] },
    );
    return [];
  } catch (e) {
    return (e as Error).message.split('\n');
  }
}

/** [title, stack, compose text, every problem (none: accepted)] */
export type DockerRuleCase = [string, string, string, string[]];
