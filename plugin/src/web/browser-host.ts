/**
 * The host of the web UI (for Resolve and Final Cut users): there is no sequence to read and nothing to
 * import into. Paths are typed, and results are downloaded (xml, fcpxml, edl, otio) or previewed instead.
 */
import type { HostMarker, HostSequence, ImportResult, PremiereHost, SecretStore } from '../host';

export class BrowserHost implements PremiereHost {
  readonly kind = 'browser' as const;
  /** A browser has nothing safer than localStorage; the page's link brings the token anyway (#token=…). */
  readonly secrets: SecretStore = {
    get: async (key) => storage()?.getItem(key) ?? null,
    set: async (key, value) => storage()?.setItem(key, value),
    remove: async (key) => storage()?.removeItem(key),
  };

  async getActiveSequence(): Promise<HostSequence | null> {
    return null;
  }

  async writeTempFile(name: string): Promise<string> {
    throw new Error(`The web UI cannot write ${name}; download the timeline file instead.`);
  }

  async importTimeline(path: string): Promise<ImportResult> {
    throw new Error(`The web UI cannot import ${path}; open the downloaded file in your editor.`);
  }

  async openSequence(): Promise<boolean> {
    return false;
  }

  async addMarkers(_sequenceId: string, _markers: readonly HostMarker[]): Promise<boolean> {
    return false;
  }
}

/** The page's localStorage (typed here: the repo's Node tsconfig has no DOM lib), absent in Node. */
function storage(): { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void } | undefined {
  return (globalThis as { localStorage?: ReturnType<typeof storage> }).localStorage;
}
