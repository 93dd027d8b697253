/** Small compose documents for the hostile cases. */

/** A valid one-service stack; `extra` is appended under the service (indented 4), `top` at the top level. */
export function stack(extra = '', top = ''): string {
  return `services:
  app:
    image: local/busybox:1
    command: [sh, -c, 'exec sleep 100000']
    stop_grace_period: 1s
    deploy:
      endpoint_mode: dnsrr
${extra}${top}`;
}

/** A stack whose service uses config `conf` from `file`. */
export function withConfig(file: string): string {
  return stack(`    configs: [conf]\n`, `configs:\n  conf:\n    file: ${file}\n`);
}

/** A stack whose service uses secret `pw` from `file`. */
export function withSecret(file: string): string {
  return stack(`    secrets: [pw]\n`, `secrets:\n  pw:\n    file: ${file}\n`);
}

/** A stack whose service reads `file` as its env_file. */
export function withEnvFile(file: string): string {
  return stack(`    env_file: [${file}]\n`);
}
