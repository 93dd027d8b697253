/**
 * The CLI starts light: main.ts alone answers --version; program.ts (commander and the command
 * definitions) loads for every other command, --help included; each command's modules (dockerode,
 * client-node, bullmq, ioredis, yaml, zod, ...) come in through the dynamic import in its action.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../controllers/cli/main.js';
import { buildProgram } from '../../../controllers/cli/program.js';
import { VERSION } from '../../../controllers/cli/version.js';

const REPO = join(import.meta.dirname, '../../..');
const MAIN = join(REPO, 'controllers/cli/main.ts');
const PROGRAM = join(REPO, 'controllers/cli/program.ts');

/** Specifiers of the static value imports and re-exports (not `import type`, not `import()`). */
function staticImports(source: string): string[] {
  const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;
  return [...source.matchAll(re)].filter((m) => !m[2]).map((m) => m[3]!);
}

/** Files (repo-relative) and packages loaded when `entry` is imported. */
function staticGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(entry);
  return { files: [...files].map((f) => relative(REPO, f)).sort(), packages: [...packages].sort() };
}

describe('CLI start-up', () => {
  it('reads static imports, skipping type-only and dynamic ones', () => {
    expect(
      staticImports(
        "import { a } from './a.js';\nimport type { B } from 'b';\nexport { c } from 'c';\n" +
          "import 'd';\nconst e = await import('e');\nexport type { F } from './f.js';",
      ),
    ).toEqual(['./a.js', 'c', 'd']);
  });

  it('main.ts statically loads no package: --version alone is answered there', async () => {
    expect(staticGraph(MAIN)).toEqual({
      files: ['controllers/cli/main.ts', 'controllers/cli/version.ts'],
      packages: [],
    });
    let out = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
    try {
      expect(await main(['node', 'swarmkeeper', '--version'])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(out).toBe(`${VERSION}\n`);
  });

  it('program.ts (every command definition, --help) statically loads commander and node built-ins only', () => {
    const { packages } = staticGraph(PROGRAM);
    expect(packages.filter((p) => !p.startsWith('node:'))).toEqual(['commander']);
  });

  it("no command's action, and neither the kind registry nor the YAML parser, loads with program.ts", () => {
    const { files } = staticGraph(PROGRAM);
    expect(files.filter((f) => /cli\/actions\/|run-help|yaml-guard|reconciler\/api\//.test(f))).toEqual([]);
    expect(files.length).toBeLessThan(20);
  });

  const program = buildProgram({ code: 0 }, 'RUN-HELP-AFTER');
  it.each(program.commands.map((c) => [c.name(), c]))(
    '`%s --help` describes the command and its options',
    (name, cmd) => {
      const help = cmd.helpInformation();
      expect(help).toContain(`Usage: swarmkeeper ${name}`);
      expect(help.replace(/\s+/g, ' ')).toContain(cmd.description());
      for (const o of cmd.options) expect(help).toContain(o.flags);
    },
  );

  it("no command's --help shows $REDIS_URL (it may hold a password); run's names the forms it takes", () => {
    const saved = process.env['REDIS_URL'];
    process.env['REDIS_URL'] = 'redis://:hunter2-secret@10.0.0.1:6379';
    try {
      const p = buildProgram({ code: 0 }, '');
      for (const c of p.commands) expect(c.helpInformation()).not.toContain('hunter2-secret');
      const run = p.commands
        .find((c) => c.name() === 'run')!
        .helpInformation()
        .replace(/\s+/g, ' ');
      expect(run).toContain('redis+sentinel://[user:pass@]host:port,host:port,.../MASTER');
      expect(run).toContain('(default: $REDIS_URL, else redis://127.0.0.1:6379)');
    } finally {
      if (saved === undefined) delete process.env['REDIS_URL'];
      else process.env['REDIS_URL'] = saved;
    }
  });

  it("run's help ends with the text main() passes (the kinds, the environment)", () => {
    const run = program.commands.find((c) => c.name() === 'run')!;
    let out = '';
    run.configureOutput({ writeOut: (s) => (out += s) });
    run.outputHelp();
    expect(out.trimEnd().endsWith('RUN-HELP-AFTER')).toBe(true);
  });
});
