import { describe, expect, it } from 'vitest';
import { parseEventChunk } from '../../../controllers/runtime/docker-events.js';

describe('parseEventChunk', () => {
  it('parses complete lines and keeps the partial rest', () => {
    const line = JSON.stringify({
      Type: 'service',
      Action: 'update',
      Actor: { ID: 'abc', Attributes: { name: 'web_api' } },
      time: 1,
    });
    const r = parseEventChunk(`${line}\n${line.slice(0, 10)}`);
    expect(r.events).toEqual([
      {
        type: 'service',
        action: 'update',
        id: 'abc',
        name: 'web_api',
        attributes: { name: 'web_api' },
        time: 1,
      },
    ]);
    expect(r.rest).toBe(line.slice(0, 10));
  });
  it('ignores garbage lines', () => {
    expect(parseEventChunk('not json\n\n').events).toEqual([]);
  });
});
