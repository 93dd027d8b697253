import type { Command } from 'commander';
import { parseDurationMs } from '../../../reconciler/units/duration.js';
import type { ExitBox } from '../exit-box.js';

interface InstallOpts {
  kubeconfig?: string;
  dir?: string;
  timeout: string;
}

/** `swarmkeeper crds install`: server-side applies the swarmkeeper.io CRDs and waits until Established. */
export function registerCrds(program: Command, exit: ExitBox): void {
  const crds = program.command('crds').description('Manage the swarmkeeper.io CustomResourceDefinitions');
  crds
    .command('install')
    .description(
      'Apply the swarmkeeper.io CRDs with server-side apply (field manager swarmkeeper) and wait until each is Established.',
    )
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--dir <path>', "apply the CRDs in this directory's YAML files instead of the built-in ones")
    .option('--timeout <duration>', 'how long to wait for each CRD to be Established', '60s')
    .action(async (opts: InstallOpts) => {
      const [{ loadKubeConfig }, { bundledCrds, crdsFromDir, installCrds }] = await Promise.all([
        import('../../kube/kube-config.js'),
        import('../../kube/crd-install.js'),
      ]);
      const kc = loadKubeConfig(opts.kubeconfig);
      const docs = opts.dir ? crdsFromDir(opts.dir) : bundledCrds();
      await installCrds(kc, docs, {
        timeoutMs: parseDurationMs(opts.timeout),
        onApplied: (name) => process.stdout.write(`customresourcedefinition/${name} serverside-applied\n`),
        onEstablished: (name) => process.stdout.write(`customresourcedefinition/${name} established\n`),
      });
      exit.code = 0;
    });
  crds.exitOverride();
}
