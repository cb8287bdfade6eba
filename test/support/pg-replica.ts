/**
 * A throwaway PostgreSQL primary and a streaming replica of it, on free loopback ports: the
 * primary made by `initdb`, the replica by `pg_basebackup -R` (it follows the primary's WAL),
 * both stopped and removed afterwards. initdb refuses root, so the servers run as the
 * `postgres` user when the tests run as root.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { execFileSync } from 'node:child_process';
import pg from 'pg';

const run = promisify(execFile);

export interface PgReplicaPair {
  /** postgres://… of the database `chat` on the primary, and on the replica. */
  primaryUrl: string;
  replicaUrl: string;
  /** Runs SQL on the replica's `chat` database. */
  onReplica<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Stops (and resumes) applying the primary's WAL: the replica falls behind on demand. */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function binDir(): string {
  const versions = execFileSync('ls', ['/usr/lib/postgresql']).toString().trim().split('\n');
  return `/usr/lib/postgresql/${versions.sort((a, b) => Number(b) - Number(a))[0]}/bin`;
}

export async function startPgReplicaPair(): Promise<PgReplicaPair> {
  const bin = binDir();
  const dir = await mkdtemp(join(tmpdir(), 'pg-replica-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    await chown(dir, uid, gid);
  }
  await chmod(dir, 0o700);
  const as = (cmd: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args])
      : run(join(bin, cmd), args);
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const primaryDir = join(dir, 'primary');
  const replicaDir = join(dir, 'replica');
  const options = (port: number) =>
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on`;
  const started: string[] = [];
  const stop = async () => {
    for (const data of started.reverse()) {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await as('initdb', ['-D', primaryDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await as('pg_ctl', [
      '-D',
      primaryDir,
      '-o',
      options(primaryPort),
      '-w',
      '-l',
      join(dir, 'primary.log'),
      'start',
    ]);
    started.push(primaryDir);
    const admin = new pg.Client({
      host: '127.0.0.1',
      port: primaryPort,
      user: 'postgres',
      database: 'postgres',
    });
    await admin.connect();
    await admin.query('CREATE DATABASE chat');
    await admin.end();
    await as('pg_basebackup', [
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '-D',
      replicaDir,
      '-R',
      '-X',
      'stream',
      // An immediate checkpoint: the default (spread) waits minutes on an idle server.
      '--checkpoint=fast',
    ]);
    await as('pg_ctl', [
      '-D',
      replicaDir,
      '-o',
      options(replicaPort),
      '-w',
      '-l',
      join(dir, 'replica.log'),
      'start',
    ]);
    started.push(replicaDir);
  } catch (error) {
    await stop();
    throw error;
  }
  const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/chat`;
  const replica = new pg.Pool({ connectionString: url(replicaPort), max: 2 });
  return {
    primaryUrl: url(primaryPort),
    replicaUrl: url(replicaPort),
    async onReplica(sql, params) {
      return (await replica.query(sql, params)).rows;
    },
    async pauseReplay() {
      await replica.query('SELECT pg_wal_replay_pause()');
    },
    async resumeReplay() {
      await replica.query('SELECT pg_wal_replay_resume()');
    },
    async stop() {
      await replica.end();
      await stop();
    },
  };
}
