// The floor of any Node tool for bench/cold-apply.ts: a bare `node` process that sends the same
// creates as the bench's stack (one overlay network, then N services, CONCURRENCY at a time like
// swarmkeeper's --concurrency) over node:http, with no library, no file read and no parsing. What a
// Node CLI costs over docker's Go client before it does anything of its own.
//   node bench/lib/bare-node-creates.mjs NAMESPACE SERVICES CONCURRENCY   (DOCKER_HOST=unix://...)
import { Buffer } from 'node:buffer';
import http from 'node:http';

const [ns, n = '20', concurrency = '8'] = process.argv.slice(2);
const socketPath = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
const agent = new http.Agent({ keepAlive: true });
const labels = { 'com.docker.stack.namespace': ns };

function post(path, body) {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath,
        path: `/v1.41${path}`,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () =>
          res.statusCode < 300 ? resolve(JSON.parse(text)) : reject(new Error(`${path}: ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const network = await post('/networks/create', {
  Name: `${ns}_default`,
  Driver: 'overlay',
  Attachable: true,
  Labels: labels,
});
const names = Array.from({ length: Number(n) }, (_, i) => `s${String(i + 1).padStart(2, '0')}`);
const create = (name) =>
  post('/services/create', {
    Name: `${ns}_${name}`,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: 'local/busybox:1',
        Args: ['sh', '-c', 'exec sleep 100000'],
        StopGracePeriod: 1e9,
        Labels: labels,
      },
      Networks: [{ Target: network.Id, Aliases: [name] }],
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: 'dnsrr' },
  });
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    for (let name = names.shift(); name !== undefined; name = names.shift()) await create(name);
  }),
);
agent.destroy();
