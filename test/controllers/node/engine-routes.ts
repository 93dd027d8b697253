// Two scripted Docker daemons (the node's own and the manager) for the SwarmNode actors' unit tests:
// each answers from routes (`METHOD /path` -> reply) and records every request; an unknown route
// is an HTTP 404. Built on test/support/fake-docker.ts (the modem is replaced, nothing is dialled).
import { dockerNodeOps, type NodeOps } from '../../../controllers/node/node-actors.js';
import { fakeDocker, type FakeReply, type FakeRequest } from '../../support/fake-docker.js';

export type Route = FakeReply | ((req: FakeRequest) => FakeReply);
export type Routes = Record<string, Route>;

export function daemon(routes: Routes) {
  return fakeDocker((req) => {
    const r = routes[`${req.method} ${req.path}`];
    if (r === undefined) return { status: 404, json: { message: `no such route ${req.method} ${req.path}` } };
    return typeof r === 'function' ? r(req) : r;
  });
}

export function engines(node: Routes, manager: Routes) {
  const n = daemon(node);
  const m = daemon(manager);
  const ops: NodeOps = dockerNodeOps({ node: n.docker, manager: m.docker });
  return { ops, nodeRequests: n.requests, managerRequests: m.requests };
}

export const signal = new AbortController().signal;
export const ok = (json?: unknown): FakeReply => ({ status: 200, json });
export const err = (status: number, message: string): FakeReply => ({ status, json: { message } });

/** The manager's /info answer (a manager, cluster C1). */
export const MANAGER_INFO = ok({
  Name: 'm1',
  Swarm: {
    NodeID: 'M1',
    NodeAddr: '10.0.0.1',
    LocalNodeState: 'active',
    ControlAvailable: true,
    Cluster: { ID: 'C1' },
    RemoteManagers: [{ NodeID: 'M1', Addr: '10.0.0.1:2377' }],
  },
});

/** A node's /info answer in `state`. */
export const nodeInfo = (state: string, extra: Record<string, unknown> = {}) =>
  ok({ Name: 'n1', ServerVersion: '24.0.7', Swarm: { LocalNodeState: state, ...extra } });

/** Replies taken in order (the last one repeats). */
export function sequence(...replies: FakeReply[]): (req: FakeRequest) => FakeReply {
  let i = 0;
  return () => replies[Math.min(i++, replies.length - 1)]!;
}
