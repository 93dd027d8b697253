import { describe, expect, it } from 'vitest';
import { parseProgress } from '../../../controllers/machine-runner/engine-stream.js';

describe('plugin progress stream', () => {
  it.each([
    ['', { messages: 0 }],
    ['{"status":"Pulling"}\n{"status":"Complete"}\n', { messages: 2 }],
    [
      '{"status":"Download complete"}\n{"errorDetail":{"message":"incorrect privileges"},"error":"incorrect privileges"}\n',
      { messages: 2, error: 'incorrect privileges' },
    ],
    ['{"errorDetail":{"message":"only detail"}}', { messages: 1, error: 'only detail' }],
    ['{"error":"first"}\r\n{"error":"second"}', { messages: 2, error: 'first' }],
    ['not json\n{"status":"x"}', { messages: 2 }],
  ])('%j', (text, result) => {
    expect(parseProgress(text)).toEqual(result);
  });
});
