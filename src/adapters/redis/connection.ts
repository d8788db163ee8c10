/**
 * One plain ioredis connection to one node, opened for a few commands and closed (ioredis is
 * loaded on first use: only workflows with Redis need it). No retries, no offline queue: a node
 * that does not answer is an error for the caller to judge.
 */
import type { RedisConnectOptions } from '../../ports/index.js';

export type Connection = {
  call(command: string, ...args: string[]): Promise<unknown>;
  disconnect(): void;
};

async function connect(address: string, options: RedisConnectOptions): Promise<Connection> {
  const { Redis } = await import('./ioredis-module.js');
  const at = address.lastIndexOf(':');
  const client = new Redis({
    host: address.slice(0, at),
    port: Number(address.slice(at + 1)),
    ...(options.password === undefined ? {} : { password: options.password }),
    connectTimeout: options.timeoutMs,
    commandTimeout: options.timeoutMs,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Errors reach the caller through the failed command; without a listener ioredis prints them.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  return client;
}

/** Open a connection to `address`, use it, close it whatever happens. */
export async function ask<T>(
  address: string,
  options: RedisConnectOptions,
  use: (connection: Connection) => Promise<T>,
): Promise<T> {
  const connection = await connect(address, options);
  try {
    return await use(connection);
  } finally {
    connection.disconnect();
  }
}
