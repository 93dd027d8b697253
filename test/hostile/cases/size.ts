import type { HostileCase } from '../case.js';
import { stack, withConfig, withEnvFile } from '../compose-text.js';

const C = 'docker-compose.yml';
const MiB = 1024 * 1024;
const LIMIT = 'more than the 4 MiB a file may have (--max-file-size)';

/** Every file read from a source has a size limit (default 4 MiB, --max-file-size). */
export const cases: HostileCase[] = [
  {
    name: 'size-compose-over-limit',
    class: 'size',
    files: { [C]: { repeat: (5 * MiB) / 16, chunk: '# padding .....\n' } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `bad/${C}: ${5 * MiB} bytes, ${LIMIT}` },
  },
  {
    name: 'size-other-yaml-over-limit',
    class: 'size',
    files: { 'big.yaml': { repeat: (4 * MiB) / 16 + 1, chunk: 'k: v           \n' } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `bad/big.yaml: ${4 * MiB + 16} bytes, ${LIMIT}` },
  },
  {
    name: 'size-config-over-limit',
    class: 'size',
    files: { [C]: withConfig('./big.conf'), 'big.conf': { repeat: 5 * 1024, chunk: 'x'.repeat(1024) } },
    expect: {
      code: 'SK_ERR_FILE_REFUSED',
      message: `configs.conf.file: cannot read "bad/big.conf": ${5 * MiB} bytes, ${LIMIT}`,
    },
  },
  {
    name: 'size-env-file-over-limit',
    class: 'size',
    files: { [C]: withEnvFile('big.env'), 'big.env': { repeat: (5 * MiB) / 8, chunk: 'A=12345\n' } },
    expect: {
      code: 'SK_ERR_FILE_REFUSED',
      message: `cannot read env file "bad/big.env": ${5 * MiB} bytes, ${LIMIT}`,
    },
  },
  {
    name: 'size-compose-just-under-limit-ok',
    class: 'size',
    files: { [C]: stack() + '#'.repeat(4 * MiB - stack().length - 1) + '\n' },
    expect: { ok: true },
  },
];
