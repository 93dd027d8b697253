import type { Command } from 'commander';
import type { ExitBox } from '../exit-box.js';
import { collect, LIMITS_HELP, POLICY_HELP } from '../options.js';
import type { RunOpts } from '../actions/run.js';

/** `helpAfter`: the text after the options (run-help.ts; main() loads it only when `run` is named). */
export function registerRun(program: Command, exit: ExitBox, helpAfter: string): void {
  program
    .command('run')
    .description('Run the controller: watch sources and the Swarm, reconcile continuously, correct drift.')
    .option(
      '--source <spec>',
      'a source of desired state, repeatable: dir=PATH[,name=N][,policy=FILE] or git=URL[,branch=B|tag=T|commit=SHA]' +
        '[,path=DIR][,interval=1m][,name=N][,sshKeyFile=F|sshKeyEnv=V][,knownHostsFile=F]' +
        '[,tokenFile=F|tokenEnv=V][,tokenScheme=basic|bearer][,tokenUser=U][,policy=FILE]',
      collect,
      [],
    )
    .option(
      '--work-dir <path>',
      'where git sources keep their clones and checkouts (default: a new temp dir)',
    )
    .option(
      '--webhook-secret-file <path>',
      'secret for POST /hooks/git signatures, POST /hooks/registry and remote POST /sync (Bearer) (or env SWARMKEEPER_WEBHOOK_SECRET)',
    )
    .option(
      '--redis-url <url>',
      'Redis for the work queue, locks, leases and status: redis://[user:pass@]host:port[/db] (rediss:// for TLS), ' +
        'or Redis Sentinel: redis+sentinel://[user:pass@]host:port,host:port,.../MASTER[?db=N][&sentinelPassword=P] ' +
        '(sentinel port default 26379; [::1]:26379 for IPv6; a password percent-encoded) ' +
        // not a commander default: --help would print $REDIS_URL, password included
        '(default: $REDIS_URL, else redis://127.0.0.1:6379)',
    )
    .option('--concurrency <n>', 'reconciles at once in this process', '4')
    .option('--resync <duration>', 'periodic resync of every resource', '10m')
    .option(
      '--no-idle-gc',
      'keep the memory a burst of work grew (no full GC once idle): the next resync pass runs faster, the idle RSS is higher',
    )
    .option(
      '--image-update-interval <duration>',
      'how often the image update policies (x-swarmkeeper image-update, spec.imageUpdate) ask their registries',
      '5m',
    )
    .option('--listen <host:port>', 'HTTP address for /metrics, /healthz and /readyz', '127.0.0.1:9464')
    .option('--backoff-base <duration>', 'first retry delay after an error', '5ms')
    .option('--backoff-max <duration>', 'longest retry delay', '1000s')
    .option('--rate-limit <n/duration>', 'global limit on reconciles started, e.g. 50/1s')
    .option('--allow-empty', 'let a source that suddenly yields nothing prune everything it had')
    .option('--max-prune-fraction <f>', 'refuse to prune when a source drops more than this fraction', '0.5')
    .option('--lease-ttl <duration>', 'leader lease for the Docker events watcher', '15s')
    .option(
      '--shutdown-timeout <duration>',
      'on SIGTERM, how long active reconciles may finish; the process exits at most 5 s after it, whatever is unreachable',
      '30s',
    )
    .option(
      '--kube',
      'also take desired state from swarmkeeper.io custom resources; status goes to their /status',
    )
    .option(
      '--kubeconfig <path>',
      'with --kube: kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)',
    )
    .option('--namespace <ns>', 'with --kube: watch only this namespace (default: all)')
    .option(
      '--lease-name <name>',
      'with --kube: the coordination.k8s.io Lease electing the one replica that runs the informers ' +
        '(all replicas work the queue) (default: swarmkeeper-informers, suffixed with a non-default --instance-id)',
    )
    .option(
      '--lease-namespace <ns>',
      'with --kube: namespace of that Lease (default: $POD_NAMESPACE, else --namespace, else default)',
    )
    .option(
      '--lease-duration <duration>',
      'with --kube: how long that Lease holds without renewal (whole seconds); renewed every third of it; ' +
        'another replica takes over within about this long after the holder dies',
      '15s',
    )
    .option(
      '--secrets-dir <dir>',
      'without --kube: values of secret references, as files DIR/<namespace>/<secret>/<key>',
    )
    .option(
      '--node-endpoint <hostname=url>',
      "a node's own Docker API (unix:// or tcp://), repeatable; SwarmNode resources add theirs",
      collect,
      [],
    )
    .option(
      '--allow-env <name>',
      'a variable of this process that ${VAR} in stacks may read, repeatable; NAME or a prefix APP_* ' +
        '(default: none: stacks see only spec.env and the .env file beside their compose file)',
      collect,
      [],
    )
    .option('--limits <spec>', LIMITS_HELP)
    .option(
      '--policy <file>',
      `${POLICY_HELP}; for every source without its own policy=FILE, and per namespace with --kube`,
    )
    .addHelpText('after', helpAfter)
    .action(async (opts: RunOpts, cmd: Command) => {
      // before the action's modules: it loads dockerode, BullMQ and prom-client (lazy-modules.ts)
      (await import('../../lazy-modules.js')).deferUnusedModules();
      const { run } = await import('../actions/run.js');
      await run(opts, cmd, exit);
    });
}
