/** env_file lines, read like docker/cli's opts.ParseEnvFile. */
import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../../reconciler/compose/env-file.js';

describe('parseEnvFile', () => {
  it.each<[string, string, Record<string, string>, [string, string][]]>([
    [
      'NAME=value keeps the value verbatim',
      'A= x y \nB=\nC=a=b',
      {},
      [
        ['A', ' x y '],
        ['B', ''],
        ['C', 'a=b'],
      ],
    ],
    [
      'comments, blank lines and leading blanks',
      '# c\n\n   \n  # indented comment\n\tD=1\n',
      {},
      [['D', '1']],
    ],
    [
      'a UTF-8 byte order mark and CRLF line ends',
      '\uFEFFA=1\r\nB=2\r\n',
      {},
      [
        ['A', '1'],
        ['B', '2'],
      ],
    ],
    [
      'a bare name takes its value from env, or is dropped',
      'SET\nUNSET\nEMPTY',
      { SET: 'v', EMPTY: '' },
      [
        ['SET', 'v'],
        ['EMPTY', ''],
      ],
    ],
    [
      'a # after the start of a line is part of the value',
      'A=1 # not a comment',
      {},
      [['A', '1 # not a comment']],
    ],
  ])('%s', (_t, content, env, want) => expect(parseEnvFile(content, env)).toStrictEqual(want));

  it.each([
    ['A=1\n=2', 'line 2: no variable name'],
    ['A B=1', 'line 1: variable "A B" contains whitespace'],
    ['\n\nA\tB', 'line 3: variable "A\tB" contains whitespace'],
    ['A =1', 'line 1: variable "A" contains whitespace'],
  ])('%j is refused: %s', (content, message) => expect(() => parseEnvFile(content, {})).toThrow(message));
});
