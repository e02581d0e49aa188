import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string;
  hostname?: string;
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
}

// No Docker engine runs here, so the file is checked as data: services, ports, dependencies, wiring.
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
  };
  const services = compose.services;
  const redisNodes = Object.keys(services).filter((n) => /^redis-\d$/.test(n));
  const nginxConf = () => {
    const mount = services.lb!.volumes![0]!.split(':')[0]!;
    return readFileSync(`${root}${mount.replace(/^\.\//, '')}`, 'utf8');
  };

  it('has PostgreSQL 16, six redis:7 nodes, a cluster-create job, two servers and nginx', () => {
    expect(services.postgres?.image).toMatch(/^postgres:16/);
    expect(redisNodes).toHaveLength(6);
    for (const n of redisNodes) expect(services[n]!.image).toMatch(/^redis:7/);
    expect(services['redis-cluster-init']?.command).toContain('--cluster-replicas 1');
    expect(services['server-1']?.build?.dockerfile).toBe('packages/server/Dockerfile');
    expect(services['server-2']?.build?.dockerfile).toBe('packages/server/Dockerfile');
    expect(services.lb?.image).toMatch(/^nginx/);
  });

  it('has redis nodes announce hostnames instead of relying on a NAT map', () => {
    for (const n of redisNodes) {
      const s = services[n]!;
      expect(s.hostname).toBe(n);
      expect(s.command).toContain('--cluster-enabled yes');
      expect(s.command).toContain('--cluster-announce-hostname');
      expect(s.command).toContain('--cluster-preferred-endpoint-type hostname');
      expect(s.healthcheck).toBeDefined();
    }
    expect(readFileSync(`${root}docker-compose.yml`, 'utf8')).not.toMatch(/natMap/i);
  });

  it('starts things in order: cluster job after healthy nodes, servers after database and cluster, lb after servers', () => {
    const init = services['redis-cluster-init']!;
    for (const n of redisNodes) expect(init.depends_on?.[n]?.condition).toBe('service_healthy');
    for (const name of ['server-1', 'server-2']) {
      const s = services[name]!;
      expect(s.depends_on?.postgres?.condition).toBe('service_healthy');
      expect(s.depends_on?.['redis-cluster-init']?.condition).toBe('service_completed_successfully');
      expect(s.environment?.REDIS_CLUSTER_NODES?.split(',')).toEqual(redisNodes.map((n) => `${n}:6379`));
      expect(s.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(s.environment?.NODE_ENV).toBe('production');
      // No default secret: compose refuses to start without one.
      expect(s.environment?.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?/);
    }
    expect(Object.keys(services.lb!.depends_on ?? {}).sort()).toEqual(['server-1', 'server-2']);
  });

  it('exposes only the load balancer, and nginx upgrades websockets to both servers', () => {
    const exposed = Object.entries(services).filter(([, s]) => s.ports?.length);
    expect(exposed.map(([n]) => n)).toEqual(['lb']);
    const mount = services.lb!.volumes![0]!.split(':')[0]!;
    const conf = readFileSync(`${root}${mount.replace(/^\.\//, '')}`, 'utf8');
    expect(conf).toMatch(/server server-1:3000/);
    expect(conf).toMatch(/server server-2:3000/);
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade/);
    expect(conf).toMatch(/proxy_set_header Connection \$connection_upgrade/);
    expect(existsSync(`${root}packages/server/Dockerfile`)).toBe(true);
  });

  it('has nginx overwrite X-Forwarded-For, so a client cannot choose the address the servers count', () => {
    const conf = nginxConf();
    expect(services['server-1']!.environment?.TRUST_PROXY).toBe('1');
    const forwardedFor = [...conf.matchAll(/^\s*proxy_set_header\s+X-Forwarded-For\s+(\S+);/gim)].map(
      (m) => m[1],
    );
    expect(forwardedFor).toEqual(['$remote_addr']);
    expect(conf).not.toContain('$proxy_add_x_forwarded_for');
    expect(conf).not.toContain('$http_x_forwarded_for');
  });

  it('keeps metrics on the private network: a metrics port per server, unpublished, and 404 from nginx', () => {
    for (const name of ['server-1', 'server-2']) {
      const s = services[name]!;
      expect(s.environment?.METRICS_PORT).toBe('9464');
      expect(s.environment?.METRICS_HOST).toBe('0.0.0.0');
      expect(s.environment?.METRICS_TOKEN).toBeUndefined();
      expect(s.ports ?? []).toEqual([]);
    }
    const conf = nginxConf();
    // The metrics location answers by itself (no proxy_pass) and matches every spelling the server routes.
    const block = /location\s+~\*\s+(\S+)\s*\{([\s\S]*?)\n\s*\}/.exec(conf);
    expect(block).not.toBeNull();
    const pattern = new RegExp(block![1]!, 'i');
    for (const path of ['/metrics', '/metrics/', '/METRICS', '/Metrics/'])
      expect(pattern.test(path), path).toBe(true);
    for (const path of ['/metricsx', '/v1/metrics', '/widget.js'])
      expect(pattern.test(path), path).toBe(false);
    expect(block![2]).toMatch(/^\s*return 404\b/m);
    expect(block![2]).not.toContain('proxy_pass');
    // nginx prefers a matching regex location over the plain prefix `location /`, unless a prefix says ^~.
    expect(conf).not.toMatch(/location\s+\^~/);
  });
});
