/**
 * The Premiere panel's UI in a plain browser page, with FakePremiereHost in place of Premiere: what the
 * headless-Chromium test drives by clicks. The page script reads `window.__harness` (sequences, companion
 * URL) set by the test before load, and exposes the fake host and the controller for the test to inspect.
 */
import type { HostSequence, SocketLike } from '../host';
import { PanelController } from '../panel-controller';
import { mountPanel } from '../ui/panel-view';
import { FakePremiereHost } from './fake-premiere-host';

interface HarnessConfig {
  readonly sequences: HostSequence[];
  readonly url: string;
  readonly pickedFile?: string;
}

const config = (window as unknown as { __harness?: HarnessConfig }).__harness ?? { sequences: [], url: '' };
const host = new FakePremiereHost({ sequences: config.sequences, ...(config.pickedFile ? { pickedFile: config.pickedFile } : {}) });
const controller = new PanelController({
  host,
  socketFactory: (url, protocol) => new WebSocket(url, protocol) as unknown as SocketLike,
  fetch: (url, init) => window.fetch(url, init),
  url: config.url,
  token: '',
  clientName: 'panel harness',
});
mountPanel(document.getElementById('app') ?? document.body, controller);
Object.assign(window, { __fakeHost: host, __controller: controller });
