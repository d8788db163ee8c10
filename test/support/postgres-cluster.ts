/**
 * A real PostgreSQL (the Debian package's binaries, which `.ci/run` installs) in a temporary
 * directory, listening only on a unix socket there: no port to pick, nothing another test can
 * reach. PostgreSQL refuses to run as root, so as root the cluster is initialised and run as
 * `nobody` (through runuser). Each test creates its own database in it.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

const BIN_DIRS = [
  '/usr/lib/postgresql/15/bin',
  '/usr/lib/postgresql/16/bin',
  '/usr/lib/postgresql/17/bin',
];

/** The directory of initdb/pg_ctl, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  return BIN_DIRS.find((dir) => existsSync(join(dir, 'pg_ctl')));
}

export const POSTGRES_MISSING =
  'PostgreSQL is not installed: `.ci/run` installs it (apt-get install -y postgresql)';

export interface PostgresCluster {
  /** A `postgres://` URL for a new, empty database. */
  createDatabase(name: string): Promise<string>;
  /** Stop the server (fast shutdown: connections are cut), keeping its data. */
  stop(): void;
  start(): void;
  /** Stop it and remove its directory. */
  close(): void;
}

const NOBODY = 65534;

function asPostgresUser(binDir: string, command: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  const [file, argv] = root
    ? ['runuser', ['-u', 'nobody', '--', join(binDir, command), ...args]]
    : [join(binDir, command), args];
  const result = spawnSync(file, argv, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    throw new Error(`${command} failed (${result.status}): ${result.stderr}${result.stdout}`);
  }
}

/** `durable`: fsync on, as a production server (the journal benchmark); tests turn it off. */
export function startPostgresCluster(
  binDir: string,
  options: { durable?: boolean } = {},
): PostgresCluster {
  const dir = mkdtempSync(join(tmpdir(), 'drainctl-pg-'));
  if (process.getuid?.() === 0) chownSync(dir, NOBODY, NOBODY);
  const data = join(dir, 'data');
  asPostgresUser(binDir, 'initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const serverOptions = `-c listen_addresses='' -c unix_socket_directories='${dir}' -c fsync=${options.durable === true ? 'on' : 'off'} -c max_connections=100`;
  const start = () =>
    asPostgresUser(binDir, 'pg_ctl', [
      '-D',
      data,
      '-o',
      serverOptions,
      '-w',
      '-l',
      join(dir, 'log'),
      'start',
    ]);
  const stop = () => asPostgresUser(binDir, 'pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  start();
  const url = (database: string) =>
    `postgres://postgres@localhost/${database}?host=${encodeURIComponent(dir)}`;
  let running = true;
  return {
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop() {
      stop();
      running = false;
    },
    start() {
      start();
      running = true;
    },
    close() {
      try {
        if (running) stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * One cluster for the calling test file: started before its tests (failing, never skipping,
 * without the binaries), closed after them. Returns the running cluster's getter.
 */
export function postgresClusterForFile(): () => PostgresCluster {
  const binDir = postgresBinDir();
  let cluster: PostgresCluster | undefined;
  beforeAll(() => {
    if (binDir === undefined) throw new Error(POSTGRES_MISSING);
    cluster = startPostgresCluster(binDir);
  }, 60_000);
  afterAll(() => cluster?.close());
  return () => {
    if (cluster === undefined) throw new Error('the PostgreSQL cluster did not start');
    return cluster;
  };
}
