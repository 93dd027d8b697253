import { KubeConfig } from '@kubernetes/client-node';
import { skError } from '../../reconciler/errors.js';

/**
 * The Kubernetes client configuration: an explicit kubeconfig file, else $KUBECONFIG,
 * ~/.kube/config or the in-cluster service account (client-node's default order).
 */
export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault();
  } catch (e) {
    throw skError(
      'CONNECTION_CONFIG',
      `kubeconfig ${path ?? '(default)'}: cannot be loaded: ${(e as Error).message}`,
      { cause: e },
    );
  }
  if (!kc.getCurrentCluster())
    throw skError(
      'CONNECTION_CONFIG',
      `kubeconfig ${path ?? '(default)'}: no current cluster; pass --kubeconfig or set KUBECONFIG`,
    );
  return kc;
}
