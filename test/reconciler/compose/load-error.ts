// Shared by the load-errors-*.test.ts files: the error loadCompose throws, and a one-service document.
import { loadCompose } from '../../../reconciler/compose/load.js';
import { type SwarmkeeperError } from '../../../reconciler/errors.js';
import { memFiles } from './helpers.js';

export function loadError(text: string, env: Record<string, string> = {}): SwarmkeeperError {
  try {
    loadCompose({ file: 'stack.yml', text }, { env, files: memFiles({}) });
  } catch (e) {
    return e as SwarmkeeperError;
  }
  throw new Error('expected an error');
}

export const svc = (body: string): string => `services:\n  web:\n    image: a\n${body}\n`;
