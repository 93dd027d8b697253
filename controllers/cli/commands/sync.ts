import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ExitBox } from '../exit-box.js';

interface SyncOpts {
  source?: string;
  url: string;
  secretFile?: string;
  timeout: string;
}

interface SyncAnswer {
  results?: { source: string; ok: boolean; changed: boolean; revision?: string; error?: string }[];
  error?: string;
}

/** `swarmkeeper sync`: asks the running controller (POST /sync) to re-read its sources now. */
export function registerSync(program: Command, exit: ExitBox): void {
  program
    .command('sync')
    .description(
      'Make the running controller fetch its sources now (git: fetch + load the new commit) and print what each did.',
    )
    .option('--source <name>', 'only this source (default: every source)')
    .option('--url <url>', "the controller's HTTP address (its --listen)", 'http://127.0.0.1:9464')
    .option(
      '--secret-file <path>',
      'webhook secret, needed when the controller is not on loopback (sent as Authorization: Bearer)',
    )
    .option('--timeout <seconds>', 'how long to wait for the syncs', '120')
    .action(async (opts: SyncOpts) => {
      const base = opts.url.replace(/\/+$/, '');
      const target = `${base}/sync${opts.source ? `?source=${encodeURIComponent(opts.source)}` : ''}`;
      const headers: Record<string, string> = {};
      if (opts.secretFile)
        headers['authorization'] = `Bearer ${readFileSync(opts.secretFile, 'utf8').replace(/\r?\n$/, '')}`;
      let res: Response;
      try {
        res = await fetch(target, {
          method: 'POST',
          headers,
          signal: AbortSignal.timeout(Number(opts.timeout) * 1000),
        });
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (e as Error).message;
        process.stderr.write(
          `error: cannot reach the controller at ${base} (${why}); is \`swarmkeeper run\` listening there (its --listen)?\n`,
        );
        exit.code = 1;
        return;
      }
      let answer: SyncAnswer;
      try {
        answer = (await res.json()) as SyncAnswer;
      } catch {
        answer = {};
      }
      if (!res.ok || !answer.results) {
        process.stderr.write(`error: ${base}/sync answered ${res.status}: ${answer.error ?? 'no result'}\n`);
        exit.code = 1;
        return;
      }
      for (const r of answer.results) {
        const rev = r.revision ? ` at ${r.revision.slice(0, 12)}` : '';
        const line = r.ok
          ? `synced ${r.source}${rev}${r.changed ? ' (new revision loaded)' : r.revision ? ' (unchanged)' : ''}`
          : `failed ${r.source}: ${r.error ?? 'unknown error'}${rev ? ` (still${rev})` : ''}`;
        process.stdout.write(`${line}\n`);
      }
      exit.code = answer.results.every((r) => r.ok) ? 0 : 1;
    });
}
