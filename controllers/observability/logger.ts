import pino, { type Logger } from 'pino';

/**
 * The process logger: pino JSON on stderr (stdout is for command output).
 * Reconciles log through `logger.child({ kind, key, reconcileId })`.
 * Secret-bearing fields are redacted as a second line of defence (values are Sensitive already).
 */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino(
    {
      name: opts.name ?? 'swarmkeeper',
      level: opts.level ?? process.env['SWARMKEEPER_LOG_LEVEL'] ?? 'info',
      redact: {
        paths: [
          '*.Data',
          '*.data',
          '*.password',
          '*.token',
          '*.authorization',
          '*.identitytoken',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
      base: { pid: process.pid },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

export type { Logger };
