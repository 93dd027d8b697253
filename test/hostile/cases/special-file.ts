import type { HostileCase } from '../case.js';
import { withConfig, withEnvFile, withSecret } from '../compose-text.js';

const C = 'docker-compose.yml';
const OUTSIDE =
  'a symbolic link leads outside the source root; only files inside the source can be referenced';
const FIFO = 'a FIFO (named pipe); only regular files are read from a source';

/** Devices, FIFOs and directories are never read (a FIFO is never opened); git cannot hold a FIFO. */
export const cases: HostileCase[] = [
  {
    name: 'fifo-compose-file',
    class: 'special-file',
    files: { [C]: { fifo: true } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `bad/${C}: ${FIFO}` },
    skip: ['git'],
  },
  {
    name: 'fifo-other-yaml',
    class: 'special-file',
    files: { 'pipe.yaml': { fifo: true } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `bad/pipe.yaml: ${FIFO}` },
    skip: ['git'],
  },
  {
    name: 'fifo-env-file',
    class: 'special-file',
    files: { [C]: withEnvFile('env.txt'), 'env.txt': { fifo: true } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `cannot read env file "bad/env.txt": ${FIFO}` },
    skip: ['git'],
  },
  {
    name: 'fifo-config-file',
    class: 'special-file',
    files: { [C]: withConfig('./conf'), conf: { fifo: true } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `configs.conf.file: cannot read "bad/conf": ${FIFO}` },
    skip: ['git'],
  },
  {
    name: 'fifo-secret-linked',
    class: 'special-file',
    files: { [C]: withSecret('./pw'), pw: { symlink: 'pipe' }, pipe: { fifo: true } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `secrets.pw.file: cannot read "bad/pw": ${FIFO}` },
    skip: ['git'],
  },
  {
    name: 'compose-link-dev-zero',
    class: 'special-file',
    files: { [C]: { symlink: '/dev/zero' } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `bad/${C}: ${OUTSIDE}` },
  },
  {
    name: 'yaml-link-dev-urandom',
    class: 'special-file',
    files: { 'random.yml': { symlink: '/dev/urandom' } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `bad/random.yml: ${OUTSIDE}` },
  },
  {
    name: 'config-link-dev-zero',
    class: 'special-file',
    files: { [C]: withConfig('./zero'), zero: { symlink: '/dev/zero' } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `cannot read "bad/zero": ${OUTSIDE}` },
  },
  {
    name: 'env-file-link-dev-stdin',
    class: 'special-file',
    files: { [C]: withEnvFile('in.env'), 'in.env': { symlink: '/dev/stdin' } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `cannot read env file "bad/in.env": ${OUTSIDE}` },
  },
  {
    name: 'config-file-is-directory',
    class: 'special-file',
    files: { [C]: withConfig('./confdir'), confdir: { dir: true }, 'confdir/x.txt': 'x\n' },
    expect: {
      code: 'SK_ERR_FILE_REFUSED',
      message: 'cannot read "bad/confdir": a directory; only regular files are read from a source',
    },
  },
  {
    name: 'env-file-is-directory',
    class: 'special-file',
    files: { [C]: withEnvFile('envdir'), envdir: { dir: true }, 'envdir/a.env': 'A=1\n' },
    expect: {
      code: 'SK_ERR_FILE_REFUSED',
      message: 'cannot read env file "bad/envdir": a directory; only regular files are read from a source',
    },
  },
];
