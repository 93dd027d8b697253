import { isSwarmkeeperError } from '../../reconciler/errors.js';

/** The code and message of the SwarmkeeperError `fn` throws; fails when it throws nothing or something else. */
export function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isSwarmkeeperError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected an error');
}
