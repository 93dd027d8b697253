/**
 * One change per corpus case for the lifecycle test, spread so that every kind lands on several files.
 * A change is a list of exact text edits to the case's files (applied to both deployers' copies) and
 * the services whose spec it changes: exactly those must be updated by swarmkeeper.
 *
 * Config and secret content: docker refuses to change a config's or secret's data in place (only
 * labels may be updated), so the change is made the way docker users rotate them, by a new key (and so
 * a new object) with the new content; both deployers get the same edited files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type ChangeKind = 'replicas' | 'env' | 'image' | 'config' | 'secret' | 'port' | 'mount';

export interface Edit {
  /** Relative to the case folder (default docker-compose.yml). */
  file?: string;
  from: string;
  to: string;
}

export interface Change {
  kind: ChangeKind;
  edits: Edit[];
  /** Compose service names whose spec changes. */
  updates: string[];
}

const compose = (from: string, to: string): Edit => ({ from, to });
/** Every occurrence of a config/secret key (its definition, references and default target). */
const rename = (key: string, to: string): Edit => ({ from: key, to });

export const CHANGES: Record<string, Change> = {
  // replicas
  'nats-cluster': { kind: 'replicas', edits: [compose('replicas: 3', 'replicas: 5')], updates: ['nats'] },
  'wordpress-mariadb': {
    kind: 'replicas',
    edits: [compose('replicas: 2', 'replicas: 3')],
    updates: ['wordpress'],
  },
  rabbitmq: { kind: 'replicas', edits: [compose('replicas: 4', 'replicas: 6')], updates: ['worker'] },
  // environment (inline, list form, and through an env_file)
  'postgres-secrets': {
    kind: 'env',
    edits: [compose('POOL_MODE=transaction', 'POOL_MODE=session')],
    updates: ['pgbouncer'],
  },
  'kafka-zookeeper': {
    kind: 'env',
    edits: [compose('srvr,mntr,ruok', 'srvr,mntr,ruok,stat')],
    updates: ['zookeeper'],
  },
  'loki-promtail': {
    kind: 'env',
    edits: [compose('GF_AUTH_ANONYMOUS_ORG_ROLE: Admin', 'GF_AUTH_ANONYMOUS_ORG_ROLE: Viewer')],
    updates: ['grafana'],
  },
  'drone-ci': {
    kind: 'env',
    edits: [{ file: 'drone.env', from: 'DRONE_LOGS_DEBUG=false', to: 'DRONE_LOGS_DEBUG=true' }],
    updates: ['drone', 'runner'],
  },
  // image (a tag bump, an anchor shared by three services, untagged -> tagged, a global job)
  swarmprom: {
    kind: 'image',
    edits: [compose('prom/node-exporter:v1.6.1', 'prom/node-exporter:v1.7.0')],
    updates: ['node-exporter'],
  },
  'mongo-replica': {
    kind: 'image',
    edits: [compose('image: mongo:6.0', 'image: mongo:7.0')],
    updates: ['mongo1', 'mongo2', 'mongo3'],
  },
  vaultwarden: {
    kind: 'image',
    edits: [compose('image: vaultwarden/server\n', 'image: vaultwarden/server:1.30.1\n')],
    updates: ['vaultwarden'],
  },
  'jobs-migrations': {
    kind: 'image',
    edits: [compose('image: docker:24-cli', 'image: docker:25-cli')],
    updates: ['prune'],
  },
  // a config's content (a plain config, a golang-templated one, one of two on a service)
  'nginx-configs': {
    kind: 'config',
    edits: [
      rename('site_conf', 'site_conf_v2'),
      { file: 'site.conf', from: 'listen 80;', to: 'listen 80 default_server;' },
    ],
    updates: ['nginx'],
  },
  'redis-sentinel': {
    kind: 'config',
    edits: [
      rename('sentinel_conf', 'sentinel_conf_v2'),
      { file: 'sentinel.conf.tmpl', from: 'primary 6379 2', to: 'primary 6379 1' },
    ],
    updates: ['sentinel'],
  },
  elk: {
    kind: 'config',
    edits: [
      rename('logstash_pipeline', 'logstash_pipeline_v2'),
      { file: 'logstash.conf', from: 'udp { port => 5000 }', to: 'udp { port => 5000 codec => json }' },
    ],
    updates: ['logstash'],
  },
  // a secret rotation (used by four services through an anchor, by one, by two)
  minio: {
    kind: 'secret',
    edits: [
      rename('minio_root_password', 'minio_root_password_v2'),
      { file: 'root_password', from: 'minio-secret-key', to: 'minio-secret-key-rotated' },
    ],
    updates: ['minio1', 'minio2', 'minio3', 'minio4'],
  },
  nextcloud: {
    kind: 'secret',
    edits: [
      rename('nextcloud_admin_password', 'nextcloud_admin_password_v2'),
      { file: 'admin_password', from: 'nc-admin', to: 'nc-admin-rotated' },
    ],
    updates: ['app'],
  },
  gitea: {
    kind: 'secret',
    edits: [
      rename('gitea_db_password', 'gitea_db_password_v2'),
      { file: 'db_password', from: 'gitea-db', to: 'gitea-db-rotated' },
    ],
    updates: ['server', 'db'],
  },
  // a published port (host mode udp, ingress short syntax, host mode tcp)
  'vault-consul': {
    kind: 'port',
    edits: [compose('published: 8600', 'published: 8601')],
    updates: ['consul'],
  },
  portainer: { kind: 'port', edits: [compose("'19000:9000'", "'19001:9000'")], updates: ['portainer'] },
  registry: { kind: 'port', edits: [compose('published: 5000', 'published: 5001')], updates: ['registry'] },
  'traefik-proxy': {
    kind: 'port',
    edits: [compose('published: 443', 'published: 8443')],
    updates: ['traefik'],
  },
  // a mount (named volume target, relative bind target, named volume path)
  'gpu-workers': {
    kind: 'mount',
    edits: [compose('models:/root/.ollama', 'models:/models')],
    updates: ['inference'],
  },
  'app-dev-compose': {
    kind: 'mount',
    edits: [compose('./public:/app/public:ro', './public:/app/static:ro')],
    updates: ['web'],
  },
  keycloak: {
    kind: 'mount',
    edits: [compose('keycloak-db:/var/lib/postgresql/data', 'keycloak-db:/var/lib/postgresql/data/pg')],
    updates: ['keycloak-db'],
  },
};

/** Applies the edits to a copy of a case folder; every `from` must occur (else the table is stale). */
export function applyEdits(dir: string, edits: Edit[]): void {
  for (const e of edits) {
    const path = join(dir, e.file ?? 'docker-compose.yml');
    const text = readFileSync(path, 'utf8');
    if (!text.includes(e.from)) throw new Error(`lifecycle change: "${e.from}" not found in ${path}`);
    writeFileSync(path, text.replaceAll(e.from, e.to));
  }
}
