/**
 * Real SyncTalk nodes for browser tests: the server test helpers' cluster (a fresh PostgreSQL database, the
 * Redis Cluster), with the host page's origin allowed for the default site, and a check that every node
 * serves the built widget at /widget.js.
 */
import { startCluster, type TestCluster } from '../../../../server/test/helpers/cluster.js';
import type { HostServer } from './host-server.js';

export type { ClusterNode, TestCluster } from '../../../../server/test/helpers/cluster.js';

export async function startChat(options: {
  label: string;
  host: HostServer;
  /** In-process nodes (first; test factories need one). Default 1. */
  nodes?: number;
  /** Then this many nodes as child processes running the built server (dist/main.js). Default 0. */
  processes?: number;
  /** More environment for every node (e.g. MESSAGE_MAX_LENGTH). */
  env?: Record<string, string>;
}): Promise<TestCluster> {
  const cluster = await startCluster({
    label: `widget_${options.label}`,
    nodes: options.nodes ?? 1,
    // The default site (created by the first node) allows the host page's origin.
    env: { ...options.env, CORS_ORIGINS: options.host.origin },
  });
  try {
    for (let i = 0; i < (options.processes ?? 0); i += 1) await cluster.startNode({ process: true });
    for (const node of cluster.nodes) await expectWidgetServed(node.url);
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}

/** Fails with a clear message when a node does not serve the widget bundle. */
export async function expectWidgetServed(chatUrl: string): Promise<void> {
  const res = await fetch(`${chatUrl}/widget.js`);
  const type = res.headers.get('content-type') ?? '';
  const body = await res.text();
  if (res.status !== 200 || !/javascript/.test(type) || body.length < 1000) {
    throw new Error(
      `${chatUrl}/widget.js answered ${res.status} (${type}, ${body.length} bytes): build the widget ` +
        '(npm run build -w @synctalk/widget) and make sure the server serves it',
    );
  }
}
