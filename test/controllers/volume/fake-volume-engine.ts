// A fake Docker Engine for the volume steps: volumes, containers using them and services, behind
// dockerode's modem.dial (the one call dockerRequest makes). Test double: the real Engine runs in
// test/integration/swarm-plugin-volume.test.ts; here every path (adopt, conflicts, recreation, a
// container holding a volume) is set up directly, which a real Engine cannot do in milliseconds.
import type Docker from 'dockerode';

export interface FakeVolume {
  Name: string;
  Driver: string;
  Options: Record<string, string> | null;
  Labels: Record<string, string> | null;
}

export class FakeVolumeEngine {
  readonly volumes = new Map<string, FakeVolume>();
  /** volume name -> container names using it */
  readonly containers = new Map<string, string[]>();
  readonly services: {
    Spec: { Name: string; TaskTemplate: { ContainerSpec: { Mounts: { Type: string; Source: string }[] } } };
  }[] = [];
  readonly calls: string[] = [];
  /** Managed plugins (GET /plugins). */
  readonly plugins: { Name: string; Enabled: boolean }[] = [];
  /** Swarm nodes (GET /nodes), when this engine plays the manager. */
  readonly nodes: {
    ID: string;
    Spec: { Role: string; Labels: Record<string, string> };
    Description: { Hostname: string };
    Status: { State: string };
  }[] = [];
  /** An error every delete answers (e.g. 409 from a container the listing does not show). */
  deleteError: { statusCode: number; message: string } | undefined;
  /** Error message of the next create (e.g. a driver that echoes its options). */
  createError: string | undefined;

  get docker(): Docker {
    return {
      modem: {
        dial: (o: Record<string, unknown>, cb: (e: unknown, d?: unknown) => void) => this.#dial(o, cb),
      },
    } as unknown as Docker;
  }

  #dial(o: Record<string, unknown>, cb: (e: unknown, d?: unknown) => void): void {
    const method = o.method as string;
    const path = (o.path as string).replace(/\?$/, '');
    const { _query: query, _body: body } = o.options as { _query: Record<string, unknown>; _body: unknown };
    this.calls.push(`${method} ${path}`);
    const fail = (statusCode: number, message: string) => cb({ statusCode, json: { message } });
    const vol = /^\/volumes\/([^/]+)$/.exec(path);
    if (method === 'GET' && vol) {
      const v = this.volumes.get(decodeURIComponent(vol[1]!));
      return v ? cb(null, structuredClone(v)) : fail(404, 'no such volume');
    }
    if (method === 'DELETE' && vol) {
      const name = decodeURIComponent(vol[1]!);
      if (this.deleteError) return fail(this.deleteError.statusCode, this.deleteError.message);
      if ((this.containers.get(name) ?? []).length > 0) return fail(409, `remove ${name}: volume is in use`);
      if (!this.volumes.delete(name)) return fail(404, 'no such volume');
      return cb(null, '');
    }
    if (method === 'POST' && path === '/volumes/create') {
      if (this.createError !== undefined) return fail(500, this.createError);
      const b = body as {
        Name: string;
        Driver: string;
        DriverOpts: Record<string, string>;
        Labels: Record<string, string>;
      };
      this.volumes.set(b.Name, { Name: b.Name, Driver: b.Driver, Options: b.DriverOpts, Labels: b.Labels });
      return cb(null, {});
    }
    if (method === 'GET' && path === '/volumes') {
      const filters = query.filters ? (JSON.parse(query.filters as string) as { label?: string[] }) : {};
      const list = [...this.volumes.values()].filter((v) =>
        (filters.label ?? []).every((l) => {
          const [k, val] = l.split('=') as [string, string];
          return v.Labels?.[k] === val;
        }),
      );
      return cb(null, { Volumes: list });
    }
    if (method === 'GET' && path === '/containers/json') {
      const f = JSON.parse(query.filters as string) as { volume: string[] };
      const names = this.containers.get(f.volume[0] ?? '') ?? [];
      return cb(
        null,
        names.map((n, i) => ({ Id: `c${i}`, Names: [`/${n}`] })),
      );
    }
    if (method === 'GET' && path === '/services') return cb(null, this.services);
    if (method === 'GET' && path === '/plugins') return cb(null, this.plugins);
    if (method === 'GET' && path === '/nodes') return cb(null, this.nodes);
    return fail(404, `fake engine: no route ${method} ${path}`);
  }
}
