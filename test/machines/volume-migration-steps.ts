// Shared by the volume-migration-forward/-rollback tests: step sequences up to each state and the case shape.
import { AMOUNT, done, input, TARGET_CREATED, WEB, type Step } from './volume-migration-harness.js';

export const toScaleDown: Step[] = [done('discover', [WEB]), done('ensureTarget', TARGET_CREATED)];
export const toCopy: Step[] = [...toScaleDown, done('scaleDown'), done('measure', AMOUNT)];
export const toVerify: Step[] = [...toCopy, done('copy', AMOUNT)];
export const toSwitch: Step[] = [...toVerify, done('verify', AMOUNT)];
export const toScaleUp: Step[] = [...toSwitch, done('switch')];
export const all: Step[] = [...toScaleUp, done('scaleUp')];
export const restoreOk: Step[] = [done('restoreMounts'), done('restoreReplicas')];

export const SRC = 'volume data on node n1';
export const DST = 'volume data2 on node n2';
export const BACK = `web back on ${SRC} with their replicas`;

export interface Case {
  name: string;
  input?: Parameters<typeof input>[0];
  steps: Step[];
  outcome: string;
  message: string | RegExp;
  visited?: string[];
  invoked?: string[];
}
