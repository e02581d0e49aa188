/**
 * A suite's world: the host website (static server) and the chat nodes allowing its origin, started before
 * the suite's tests and stopped after them.
 *
 * ```ts
 * const env = useChatEnvironment({ label: 'unread', nodes: 2 });
 * it('…', async () => { const [n1, n2] = env.nodes; env.host.serve('/', { body: embedPage({ chat: n1.url }) }); });
 * ```
 */
import { afterAll, beforeAll } from 'vitest';
import { closeChatClients } from '../../../../server/test/helpers/cluster.js';
import { startChat, type ClusterNode, type TestCluster } from './chat-servers.js';
import { startHostServer, type HostServer } from './host-server.js';

export interface ChatEnvironment {
  readonly host: HostServer;
  readonly cluster: TestCluster;
  /** The chat nodes, in start order. */
  readonly nodes: ClusterNode[];
}

export function useChatEnvironment(options: {
  label: string;
  nodes?: number;
  processes?: number;
  env?: Record<string, string>;
  /** The host website's name (default `127.0.0.1`, the chat servers' site; `localhost` is another site). */
  hostName?: string;
}): ChatEnvironment {
  let host: HostServer | undefined;
  let cluster: TestCluster | undefined;

  beforeAll(async () => {
    // The host first: its origin goes into the nodes' CORS_ORIGINS (the default site's allowed origins).
    host = await startHostServer({ hostname: options.hostName });
    cluster = await startChat({
      label: options.label,
      host,
      nodes: options.nodes,
      processes: options.processes,
      env: options.env,
    });
  });
  afterAll(async () => {
    closeChatClients();
    await cluster?.close();
    await host?.close();
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the chat environment is not started (use it at suite level)');
    return value;
  };
  return {
    get host() {
      return started(host);
    },
    get cluster() {
      return started(cluster);
    },
    get nodes() {
      return started(cluster).nodes;
    },
  };
}
