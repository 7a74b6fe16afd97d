/**
 * UXP's network rules as the tests need them, wrapped around a real socket and fetch (the `ws` client, Node's
 * or the browser's fetch): an address outside the manifest's network.domains is refused with a permission
 * error (UXP's own wording is unverified; the shape is an exception from the constructor), and on macOS every
 * http:// request fails as App Transport Security makes it fail (the network recipe in Adobe's UXP docs).
 * A panel that works through these works on both platforms.
 */
import type { FetchLike, SocketFactory } from '../host';
import type { FakePlatform } from './fake-premiere-host';

/** What the wrapped fetch was asked for, refused or not (tests assert the panel asked for nothing over http). */
export interface NetworkLog {
  readonly sockets: string[];
  readonly fetches: string[];
  readonly refused: string[];
}

export function uxpNetwork(platform: FakePlatform, domains: readonly string[], base: { socketFactory: SocketFactory; fetch?: FetchLike }): { socketFactory: SocketFactory; fetch: FetchLike; log: NetworkLog } {
  const log: NetworkLog = { sockets: [], fetches: [], refused: [] };
  const listed = (url: string) => {
    const origin = /^[a-z]+:\/\/[^/?#]+/i.exec(url)?.[0]?.toLowerCase() ?? url;
    return domains.some((domain) => domain.toLowerCase() === origin);
  };
  const socketFactory: SocketFactory = (url, protocol) => {
    log.sockets.push(url);
    if (!listed(url)) {
      log.refused.push(url);
      throw new Error(`Permission denied: ${url} is not listed in the manifest's network.domains.`);
    }
    return base.socketFactory(url, protocol);
  };
  const fetch: FetchLike = async (url, init) => {
    log.fetches.push(url);
    if (platform === 'mac' && /^http:/i.test(url)) {
      log.refused.push(url);
      throw new TypeError('Network request failed (App Transport Security blocks http:// on macOS)');
    }
    if (!listed(url)) {
      log.refused.push(url);
      throw new Error(`Permission denied: ${url} is not listed in the manifest's network.domains.`);
    }
    if (!base.fetch) throw new TypeError('Network request failed');
    return base.fetch(url, init);
  };
  return { socketFactory, fetch, log };
}
