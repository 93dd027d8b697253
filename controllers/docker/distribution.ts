/**
 * `GET /distribution/{name}/json`: the Engine asks the registry for an image's manifest (with its
 * mirrors and insecure-registry settings, and the credentials sent as `X-Registry-Auth`) and
 * returns its digest and platforms. docker's client uses it to pin `docker stack deploy` images.
 */
import type Docker from 'dockerode';
import type { Sensitive } from '../../reconciler/model/sensitive.js';
import type { Platform } from '../../reconciler/plan/image-pin.js';
import type { ResolvedImage } from '../ports.js';
import { dockerRequest } from './request.js';

interface DistributionInspect {
  Descriptor?: { digest?: string };
  Platforms?: { architecture?: string; os?: string }[];
}

const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/**
 * Platforms as docker's client writes them into Placement.Platforms: `arm` loses its architecture
 * (nodes report `armv7l`, so the constraint would never match; moby/swarmkit#2294).
 */
export function placementPlatforms(raw: DistributionInspect['Platforms']): Platform[] {
  return (raw ?? []).map((p) => {
    const arch = p.architecture ?? '';
    return {
      ...(arch === '' || arch.toLowerCase() === 'arm' ? {} : { Architecture: arch }),
      ...(p.os ? { OS: p.os } : {}),
    };
  });
}

/** Rejects with the Engine's message (never the credentials) when the registry cannot be read. */
export async function distributionInspect(
  docker: Docker,
  image: string,
  registryAuth: Sensitive<string> | undefined,
  signal?: AbortSignal,
): Promise<ResolvedImage> {
  let res: DistributionInspect;
  try {
    res = await dockerRequest<DistributionInspect>(docker, {
      method: 'GET',
      path: `/distribution/${image}/json`,
      ...(registryAuth ? { registryAuth } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    // a plain Error: the modem's error objects carry more than the message
    throw new Error(`cannot resolve image ${image}: ${messageOf(e)}`);
  }
  const digest = res.Descriptor?.digest;
  if (typeof digest !== 'string' || !DIGEST.test(digest))
    throw new Error(`cannot resolve image ${image}: the Engine returned no digest`);
  return { digest, platforms: placementPlatforms(res.Platforms) };
}

function messageOf(e: unknown): string {
  const json = (e as { json?: { message?: unknown } }).json;
  if (json && typeof json.message === 'string') return json.message;
  return e instanceof Error ? e.message : String(e);
}
