import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// reconciler/ is pure: the model, compose translation and planner never touch I/O.
const IO_MODULES = [
  'dockerode',
  '@kubernetes/client-node',
  'bullmq',
  'ioredis',
  'fs',
  'node:fs',
  'fs/promises',
  'node:fs/promises',
  'net',
  'node:net',
  'http',
  'node:http',
  'https',
  'node:https',
  'child_process',
  'node:child_process',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.stryker-tmp/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['reconciler/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: IO_MODULES.map((name) => ({
            name,
            message: 'reconciler/ is pure: put I/O behind a port in controllers/.',
          })),
          patterns: [
            {
              group: ['../controllers/*', '../../controllers/*', '**/controllers/**'],
              message: 'reconciler/ must not depend on controllers/.',
            },
          ],
        },
      ],
    },
  },
  {
    // machines/ is pure too: the xstate machines and their helpers; actors are supplied by controllers/.
    files: ['machines/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: IO_MODULES.map((name) => ({
            name,
            message: 'machines/ is pure: supply I/O as actors with .provide() from controllers/.',
          })),
          patterns: [{ group: ['**/controllers/**'], message: 'machines/ must not depend on controllers/.' }],
        },
      ],
    },
  },
  {
    // Adapters implement the ports (controllers/ports.ts); the runtime and the CLI wire them, never the reverse.
    files: [
      'controllers/docker/**/*.ts',
      'controllers/kube/**/*.ts',
      'controllers/sources/**/*.ts',
      'controllers/observability/**/*.ts',
      'controllers/redis/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../runtime/*', '../runtime/**', '../cli/*', '../cli/**'],
              message: 'adapters must not import the runtime or the CLI: depend on controllers/ports.ts.',
            },
          ],
        },
      ],
    },
  },
);
