import type { HostileCase } from '../case.js';
import { stack, withConfig, withEnvFile, withSecret } from '../compose-text.js';

const OUTSIDE =
  'a symbolic link leads outside the source root; only files inside the source can be referenced';
const C = 'docker-compose.yml';

/** Links in a source are resolved; whatever leaves the source root is refused, for every file read. */
export const cases: HostileCase[] = [
  {
    name: 'symlink-config-etc-shadow',
    class: 'symlink',
    files: { [C]: withConfig('./pw.txt'), 'pw.txt': { symlink: '/etc/shadow' } },
    expect: {
      code: 'SK_ERR_FILE_REFUSED',
      message: `bad/${C}: configs.conf.file: cannot read "bad/pw.txt": ${OUTSIDE}`,
    },
  },
  {
    name: 'symlink-secret-etc-passwd',
    class: 'symlink',
    files: { [C]: withSecret('./pw.txt'), 'pw.txt': { symlink: '/etc/passwd' } },
    expect: {
      code: 'SK_ERR_FILE_REFUSED',
      message: `bad/${C}: secrets.pw.file: cannot read "bad/pw.txt": ${OUTSIDE}`,
    },
  },
  {
    name: 'symlink-env-file-proc-self-environ',
    class: 'symlink',
    env: { SK_HOSTILE_CANARY: 'canary-must-not-leak' },
    files: { [C]: withEnvFile('env.txt'), 'env.txt': { symlink: '/proc/self/environ' } },
    expect: {
      code: 'SK_ERR_FILE_REFUSED',
      message: `bad/${C}:8: services.app.env_file: cannot read env file "bad/env.txt": ${OUTSIDE}`,
    },
  },
  {
    name: 'symlink-env-file-relative-escape',
    class: 'symlink',
    files: { [C]: withEnvFile('env.txt'), 'env.txt': { symlink: '../../../../../../../../etc/hostname' } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `cannot read env file "bad/env.txt": ${OUTSIDE}` },
  },
  {
    name: 'symlink-directory-etc',
    class: 'symlink',
    files: { [C]: withConfig('./etc/passwd'), etc: { symlink: '/etc' } },
    expect: {
      code: 'SK_ERR_FILE_REFUSED',
      message: `configs.conf.file: cannot read "bad/etc/passwd": ${OUTSIDE}`,
    },
  },
  {
    name: 'symlink-directory-filesystem-root',
    class: 'symlink',
    files: { [C]: withEnvFile('up/etc/hostname'), up: { symlink: '/' } },
    expect: {
      code: 'SK_ERR_FILE_REFUSED',
      message: `cannot read env file "bad/up/etc/hostname": ${OUTSIDE}`,
    },
  },
  {
    name: 'symlink-chain-escapes',
    class: 'symlink',
    files: {
      [C]: withConfig('./a.txt'),
      'a.txt': { symlink: 'b.txt' },
      'b.txt': { symlink: '/etc/hostname' },
    },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `cannot read "bad/a.txt": ${OUTSIDE}` },
  },
  {
    name: 'symlink-compose-file-etc-passwd',
    class: 'symlink',
    files: { [C]: { symlink: '/etc/passwd' } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `bad/${C}: ${OUTSIDE}` },
  },
  {
    name: 'symlink-other-yaml-etc-passwd',
    class: 'symlink',
    files: { 'extra.yml': { symlink: '/etc/passwd' } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `bad/extra.yml: ${OUTSIDE}` },
  },
  {
    name: 'symlink-compose-dangling',
    class: 'symlink',
    files: { [C]: { symlink: 'missing.txt' } },
    expect: {
      code: 'SK_ERR_FILE_UNREADABLE',
      message: `bad/${C}: no such file, or a dangling symbolic link (ENOENT)`,
    },
  },
  {
    name: 'symlink-compose-loop',
    class: 'symlink',
    files: { [C]: { symlink: 'loop.link' }, 'loop.link': { symlink: C } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `bad/${C}: a symbolic link loop (ELOOP)` },
  },
  {
    name: 'symlink-env-file-dangling',
    class: 'symlink',
    files: { [C]: withEnvFile('env.txt'), 'env.txt': { symlink: 'nowhere.env' } },
    expect: {
      code: 'SK_ERR_FILE_UNREADABLE',
      message: `cannot read env file "bad/env.txt": no such file, or a dangling symbolic link (ENOENT)`,
    },
  },
  {
    name: 'symlink-config-loop',
    class: 'symlink',
    files: { [C]: withConfig('./a.txt'), 'a.txt': { symlink: 'b.txt' }, 'b.txt': { symlink: 'a.txt' } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `cannot read "bad/a.txt": a symbolic link loop (ELOOP)` },
  },
  {
    name: 'symlink-yaml-to-directory-outside',
    class: 'symlink',
    files: { 'stacks.yml': { symlink: '/etc' } },
    expect: { code: 'SK_ERR_FILE_REFUSED', message: `bad/stacks.yml: ${OUTSIDE}` },
  },
  {
    name: 'symlink-config-to-directory-inside',
    class: 'symlink',
    files: { [C]: withConfig('./conf'), conf: { symlink: 'sub' }, sub: { dir: true }, 'sub/x.txt': 'x\n' },
    expect: {
      code: 'SK_ERR_FILE_REFUSED',
      message: 'cannot read "bad/conf": a directory; only regular files are read from a source',
    },
  },
  {
    name: 'absolute-env-file-path',
    class: 'symlink',
    files: { [C]: withEnvFile('/etc/hostname') },
    expect: {
      code: 'SK_ERR_FILE_REFUSED',
      message:
        'cannot read env file "/etc/hostname": outside the source root; only files inside the source can be referenced',
    },
  },
  {
    name: 'dotdot-config-path',
    class: 'symlink',
    files: { [C]: withConfig('../../../../../../etc/passwd') },
    expect: {
      code: 'SK_ERR_FILE_REFUSED',
      message: 'outside the source root; only files inside the source can be referenced',
    },
  },
  {
    name: 'symlink-compose-inside-root-ok',
    class: 'symlink',
    files: { [C]: { symlink: 'src/stack.txt' }, 'src/stack.txt': stack() },
    expect: { ok: true },
  },
  {
    name: 'symlink-config-up-a-folder-ok',
    class: 'symlink',
    files: {
      [C]: withConfig('./sub/conf.txt'),
      'sub/conf.txt': { symlink: '../app.conf' },
      'app.conf': 'x\n',
    },
    expect: { ok: true },
  },
  {
    name: 'symlink-env-file-inside-ok',
    class: 'symlink',
    files: { [C]: withEnvFile('env.link'), 'env.link': { symlink: 'real.env' }, 'real.env': 'A=1\n' },
    expect: { ok: true },
  },
];
