/**
 * The lab's choice of subnet (test/lab/lib/common.sh: choose_subnet, subnet_in_use) under the
 * lab's own `set -euo pipefail`. With `ip route | grep -q`, grep leaves at its first match and
 * `ip` dies of SIGPIPE on a route table longer than a pipe's buffer: with pipefail the pipeline
 * then fails, so a routed subnet looked free (two labs started side by side took the same /24 and
 * the second refused to start). `ip` is a shell function here that prints such a table: the
 * subnet 10.80 is routed first, then 5,000 other routes (more than the 64 KiB a pipe holds).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const COMMON = fileURLToPath(new URL('./lib/common.sh', import.meta.url));

function sh(body: string): string {
  const script = `set -euo pipefail
LAB_NAME=t LAB_ROOT=/nonexistent
source ${JSON.stringify(COMMON)}
ip() {
  echo '10.80.0.0/24 dev abr0 proto kernel scope link src 10.80.0.1'
  for i in $(seq 1 5000); do echo "172.16.$((i % 250)).0/24 via 10.0.0.1 dev eth0 proto static metric 100"; done
}
${body}`;
  return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).trim();
}

describe('lab subnet choice with a long route table', () => {
  it('a routed subnet is in use', () => {
    expect(sh('subnet_in_use 10.80.0 && echo used || echo free')).toBe('used');
  });
  it('choose_subnet skips it', () => {
    expect(sh('choose_subnet')).toBe('10.81.0');
  });
});
