/** The `--redis` URL, checked without loading a Redis client (the CLI parses it before choosing a command). */
import { MontageError } from '../core/errors';

/** Checks a `--redis` value: redis:// or rediss://, a host, an optional port and database number. */
export function parseRedisUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `--redis must be a URL such as redis://127.0.0.1:6379 (got "${text}").`, { where: { field: 'redis' } });
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `--redis must start with redis:// or rediss:// (got "${url.protocol}//").`, { where: { field: 'redis' } });
  }
  if (!url.hostname || (url.pathname && url.pathname !== '/' && !/^\/\d+$/.test(url.pathname))) {
    throw new MontageError('AM_ERR_INVALID_ARGUMENT', `--redis must be redis://HOST[:PORT][/DB] (got "${text}").`, { where: { field: 'redis' } });
  }
  return text;
}
