/**
 * A copy of examples/ in a temp dir with names made unique per test run, so that several test files
 * (and the examples themselves) can be applied to one swarm at once:
 *   examples/web/            -> <prefix>web/   (plain compose: stack <prefix>web)
 *   examples/api/stack.yaml  -> SwarmStack <prefix>api
 *   examples/network.yaml    -> SwarmNetwork <prefix>net
 *   examples/shop/           -> left out (the overlay example has a fixed stack name)
 * The host port 8080 becomes `hostPort`, and every service gets stop_grace_period 1s
 * (busybox sh/sleep ignore SIGTERM, which would make every removal take 10 s).
 */
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO } from './run.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ExampleCopy {
  dir: string;
  webStack: string;
  apiStack: string;
  network: string;
  webFile: string;
  apiFile: string;
  /** Service names by compose key. */
  services: { frontend: string; worker: string; api: string };
  /** Owner label values. */
  owners: { web: string; api: string; network: string };
}

export function readYaml(file: string): Obj {
  return parse(readFileSync(file, 'utf8')) as Obj;
}

export function writeYaml(file: string, doc: unknown): void {
  writeFileSync(file, stringify(doc));
}

export function copyExamples(dest: string, prefix: string, hostPort: number): ExampleCopy {
  mkdirSync(dest, { recursive: true });
  cpSync(join(REPO, 'examples'), dest, { recursive: true });
  // the overlay example (a fixed stack name) is proven by fidelity-overlay and dir-loader-overlay
  rmSync(join(dest, 'shop'), { recursive: true, force: true });
  const webStack = `${prefix}web`;
  const apiStack = `${prefix}api`;
  const network = `${prefix}net`;
  renameSync(join(dest, 'web'), join(dest, webStack));

  const netFile = join(dest, 'network.yaml');
  const net = readYaml(netFile);
  net['metadata'].name = network;
  writeYaml(netFile, net);

  const apiFile = join(dest, 'api', 'stack.yaml');
  const api = readYaml(apiFile);
  api['metadata'].name = apiStack;
  api['spec'].dependsOn = [{ kind: 'SwarmNetwork', name: network }];
  api['spec'].compose.networks.shared = { external: true, name: network };
  for (const s of Object.values(api['spec'].compose.services as Obj)) s.stop_grace_period = '1s';
  writeYaml(apiFile, api);

  const webFile = join(dest, webStack, 'docker-compose.yml');
  const web = readYaml(webFile);
  web['services'].frontend.ports[0].published = hostPort;
  for (const s of Object.values(web['services'] as Obj)) s.stop_grace_period = '1s';
  writeYaml(webFile, web);

  return {
    dir: dest,
    webStack,
    apiStack,
    network,
    webFile,
    apiFile,
    services: { frontend: `${webStack}_frontend`, worker: `${webStack}_worker`, api: `${apiStack}_api` },
    owners: {
      web: `SwarmStack/default/${webStack}`,
      api: `SwarmStack/default/${apiStack}`,
      network: `SwarmNetwork/default/${network}`,
    },
  };
}

/** Rewrites a YAML file through `edit` (comments are dropped). */
export function editYaml(file: string, edit: (doc: Obj) => void): void {
  const doc = readYaml(file);
  edit(doc);
  writeYaml(file, doc);
}
