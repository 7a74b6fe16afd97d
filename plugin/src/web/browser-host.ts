/**
 * The host of the web UI (for Resolve and Final Cut users): there is no sequence to read and nothing to
 * import into. Paths are typed, and results are downloaded (xml, fcpxml, edl, otio) or previewed instead.
 */
import type { HostMarker, HostSequence, ImportResult, PremiereHost } from '../host';

export class BrowserHost implements PremiereHost {
  readonly kind = 'browser' as const;

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
