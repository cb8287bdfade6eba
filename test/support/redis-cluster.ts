/**
 * A Redis Cluster of the test's own: six `redis-server` processes in cluster mode on free
 * loopback ports (three masters, three replicas, made by `redis-cli --cluster create`), so a
 * test can kill a master or move a slot while the machine's shared Redis stays untouched.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  /** Kills the process abruptly (no save, no goodbye to clients or to the other nodes). */
  kill(): Promise<void>;
}

export interface RedisCluster {
  nodes: ClusterNode[];
  /** `host:port,host:port,…`, as REDIS_CLUSTER_NODES takes it. */
  seeds: string;
  /** Runs a command on one node (`redis-cli -p port ...args`) and returns what it printed. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** The hash slot of a key or channel name (asked of a live node). */
  keySlot(name: string): Promise<number>;
  /** The port of the master serving `slot` now. */
  masterOf(slot: number): Promise<number>;
  /** The ports of the masters now (live ones only). */
  masters(): Promise<number[]>;
  /**
   * Waits until every live node reports cluster_state:ok, they agree on who serves each slot, and
   * no slot is left to a killed node (its replica has taken over).
   */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /**
   * Moves one slot (and its keys) from its master to another one, as `redis-cli --cluster
   * reshard` does it: SETSLOT IMPORTING/MIGRATING, MIGRATE the keys, SETSLOT NODE everywhere.
   */
  moveSlot(slot: number, toPort: number): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis on ${port} did not come up`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
  const ports: number[] = [];
  // Cluster nodes also listen on port + 10000 (the cluster bus): both must be free.
  while (ports.length < 6) {
    const port = await freePort();
    if (port < 55000 && !ports.includes(port)) ports.push(port);
  }
  const children = new Map<number, ChildProcess>();
  /** Nodes a test killed: healthy means no slot is left to them. */
  const killed = new Set<number>();
  const startNode = async (port: number) => {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '2000',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    children.set(port, child);
    await waitForPort(port);
  };

  const cli = async (port: number, ...args: string[]) =>
    (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout;
  const alive = () =>
    ports.filter((p) => children.get(p)?.exitCode === null && !children.get(p)?.killed);

  const slotsOf = async (port: number) => {
    const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.cluster('SLOTS')) as unknown as [
        number,
        number,
        [string, number, string],
      ][];
    } finally {
      client.disconnect();
    }
  };

  const cluster: RedisCluster = {
    nodes: [],
    seeds: ports.map((p) => `127.0.0.1:${p}`).join(','),
    cli,
    async keySlot(name) {
      return Number((await cli(alive()[0], 'CLUSTER', 'KEYSLOT', name)).trim());
    },
    async masterOf(slot) {
      const ranges = await slotsOf(alive()[0]);
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`nobody serves slot ${slot}`);
      return Number(range[2][1]);
    },
    async masters() {
      const ranges = await slotsOf(alive()[0]);
      return [...new Set(ranges.map((r) => Number(r[2][1])))];
    },
    async waitHealthy(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          const infos = await Promise.all(alive().map((p) => cli(p, 'CLUSTER', 'INFO')));
          const views = await Promise.all(
            alive().map(async (p) =>
              JSON.stringify((await slotsOf(p)).map((r) => [r[0], r[1], r[2][1]]).sort()),
            ),
          );
          const orphaned = [...killed].some((port) =>
            views.some((view) =>
              (JSON.parse(view) as [number, number, number][]).some((r) => r[2] === port),
            ),
          );
          if (
            infos.every((i) => i.includes('cluster_state:ok')) &&
            new Set(views).size === 1 &&
            !orphaned
          )
            return;
        } catch {
          // a node still starting or failing over: look again
        }
        if (Date.now() > deadline) throw new Error('the Redis Cluster did not become healthy');
        await sleep(100);
      }
    },
    async moveSlot(slot, toPort) {
      const fromPort = await cluster.masterOf(slot);
      if (fromPort === toPort) return;
      const id = async (port: number) => (await cli(port, 'CLUSTER', 'MYID')).trim();
      const [fromId, toId] = await Promise.all([id(fromPort), id(toPort)]);
      await cli(toPort, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', fromId);
      await cli(fromPort, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', toId);
      for (;;) {
        const keys = (await cli(fromPort, 'CLUSTER', 'GETKEYSINSLOT', String(slot), '100'))
          .split('\n')
          .filter(Boolean);
        if (keys.length === 0) break;
        await cli(
          fromPort,
          'MIGRATE',
          '127.0.0.1',
          String(toPort),
          '',
          '0',
          '5000',
          'KEYS',
          ...keys,
        );
      }
      // The new owner first, then the old one, then everyone (the order the Redis docs give).
      await cli(toPort, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', toId);
      await cli(fromPort, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', toId);
      for (const port of alive()) {
        if (port !== fromPort && port !== toPort)
          await cli(port, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', toId).catch(() => undefined);
      }
      await cluster.waitHealthy();
    },
    async stop() {
      await Promise.all(
        [...children.values()].map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          await exited;
        }),
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
  cluster.nodes = ports.map((port) => ({
    port,
    async kill() {
      killed.add(port);
      const child = children.get(port);
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  }));

  try {
    await Promise.all(ports.map(startNode));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    await cluster.waitHealthy();
    // Replicas must have synced before a test may kill a master and expect a failover.
    await waitReplicasSynced(cli, ports);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

async function waitReplicasSynced(
  cli: (port: number, ...args: string[]) => Promise<string>,
  ports: number[],
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const infos = await Promise.all(ports.map((p) => cli(p, 'INFO', 'replication')));
    const replicas = infos.filter((i) => i.includes('role:slave'));
    if (replicas.length === 3 && replicas.every((i) => i.includes('master_link_status:up'))) return;
    if (Date.now() > deadline) throw new Error('Redis Cluster replicas did not sync');
    await sleep(100);
  }
}
