/**
 * Parses an env file like docker/cli's opts.ParseEnvFile: `#` comments and blank lines are
 * skipped, `NAME=value` keeps the value verbatim, a bare `NAME` takes its value from `env`
 * (and is dropped when unset there).
 */
export function parseEnvFile(
  content: string,
  env: Readonly<Record<string, string>>,
): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq < 0 ? line : line.slice(0, eq);
    if (name === '') throw new Error(`line ${i + 1}: no variable name`);
    if (/\s/.test(name)) throw new Error(`line ${i + 1}: variable "${name.trim()}" contains whitespace`);
    if (eq >= 0) out.push([name, line.slice(eq + 1)]);
    else if (env[name] !== undefined) out.push([name, env[name] as string]);
  });
  return out;
}
