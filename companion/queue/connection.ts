/**
 * The Redis behind the job queue: the URL the commands take (`--redis redis://host:6379/0`, `rediss://` for
 * TLS) and the client options BullMQ needs. Clients never give up on a command (maxRetriesPerRequest null):
 * when Redis restarts, commands wait and ioredis reconnects, so a worker or a companion rides out the restart
 * with its jobs (Redis keeps them on disk with appendonly or snapshots).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { MontageError } from '../core/errors';

export { parseRedisUrl } from './redis-url';

/** Reconnect after 100 ms, growing to 2 s between tries, for ever. */
const retryStrategy = (times: number): number => Math.min(100 * times, 2000);

/** Client options for BullMQ's queues, workers and event readers. */
export function connectionOptions(url: string): { url: string; maxRetriesPerRequest: null; retryStrategy: (times: number) => number; connectionName: string } {
  return { url, maxRetriesPerRequest: null, retryStrategy, connectionName: `auto-montage:${process.pid}` };
}

/** A plain client (pub/sub for cancel requests, PING). */
export function redisClient(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, retryStrategy, ...options });
}

/** Throws AM_ERR_QUEUE_UNAVAILABLE when Redis does not answer a PING within `timeoutMs`. */
export async function assertReachable(url: string, timeoutMs = 5000): Promise<void> {
  const client = redisClient(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false });
  // The socket's own error (ECONNREFUSED, a refused password) says more than the rejection ("Connection is closed").
  let cause: unknown;
  client.on('error', (error: unknown) => (cause ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const where = new URL(url);
    const reason = cause ?? error;
    throw new MontageError('AM_ERR_QUEUE_UNAVAILABLE', `Redis at ${where.host} does not answer (${reason instanceof Error ? reason.message : String(reason)}); start redis-server or check --redis.`, { where: { field: 'redis' }, cause: reason });
  } finally {
    client.disconnect();
  }
}
