/**
 * The runtime: Node 24 from the npm registry (the devDependency `node`, node_modules/.bin/node), not
 * the system Node that ran npm. npm scripts and npx put node_modules/.bin first on PATH, so the
 * tests, the `node` of shell scripts and `#!/usr/bin/env node` shebangs, and the CLI the integration
 * tests spawn (process.execPath) all run on it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..');
const major = (version: string): number => Number(/^v?(\d+)\./.exec(version)?.[1]);

/** Runs `file args` with `env` and returns the Node version its preload wrote to stderr. */
function reportedVersion(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  // A preload module prints the version of the Node that runs the process, before its entry loads.
  const report = 'data:text/javascript,process.stderr.write(`runtime=${process.versions.node}\\n`)';
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd: REPO, env: { ...env, NODE_OPTIONS: `--import=${report}` } },
      (err, _stdout, stderr) => {
        const m = /runtime=(\S+)/.exec(stderr);
        if (m) resolve(m[1]!);
        else reject(err ?? new Error(`no runtime reported: ${stderr}`));
      },
    );
  });
}

describe('runtime', () => {
  it('the tests run on Node 24', () => {
    expect(major(process.versions.node)).toBe(24);
  });

  it('engines.node asks for it', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    expect(pkg.engines.node).toBe('>=24');
    expect(major(pkg.devDependencies['node']!.replace(/^\D+/, ''))).toBe(24);
  });

  it.each([
    [
      'the CLI as the integration tests spawn it (process.execPath)',
      process.execPath,
      ['bin/swarmkeeper.js'],
    ],
    ['the CLI through its #!/usr/bin/env node shebang', join(REPO, 'bin/swarmkeeper.js'), ['--version']],
    ['`node` on PATH (shell scripts, npx tools)', 'node', ['-e', '0']],
  ])('%s runs on Node 24', async (_what, file, args) => {
    expect(major(await reportedVersion(file, args))).toBe(24);
  });

  it('node_modules/.bin/node is Node 24 for a shell whose PATH has only the system Node', async () => {
    const env = { ...process.env, PATH: '/usr/local/bin:/usr/bin:/bin' };
    expect(major(await reportedVersion(join(REPO, 'node_modules/.bin/node'), ['-e', '0'], env))).toBe(24);
  });
});
