/**
 * The Premiere panel's UI in a plain browser page, with FakePremiereHost in place of Premiere: what the
 * headless-Chromium test drives by clicks. The page script reads `window.__harness` (sequences, companion
 * URL) set by the test before load, and exposes the fake host and the controller for the test to inspect.
 */
import type { HostSequence, SocketLike } from '../host';
import { PanelController } from '../panel-controller';
import { mountPanel } from '../ui/panel-view';
import { FakePremiereHost, type FakePlatform } from './fake-premiere-host';

interface HarnessConfig {
  readonly sequences: HostSequence[];
  readonly url: string;
  readonly pickedFile?: string;
  /** Default 'mac'. */
  readonly platform?: FakePlatform;
}

const config = (window as unknown as { __harness?: HarnessConfig }).__harness ?? { sequences: [], url: '' };
const platform = config.platform ?? 'mac';
if (platform === 'mac') {
  // UXP on macOS cannot read a password field's value (known issue): model it, so a panel that relied on one
  // would send an empty token here too.
  const descriptor = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
  Object.defineProperty(HTMLInputElement.prototype, 'value', {
    configurable: true,
    get(this: HTMLInputElement) {
      return this.type === 'password' ? '' : (descriptor?.get?.call(this) as string);
    },
    set(this: HTMLInputElement, value: string) {
      descriptor?.set?.call(this, value);
    },
  });
}
const host = new FakePremiereHost({ sequences: config.sequences, platform, ...(config.pickedFile ? { pickedFile: config.pickedFile } : {}) });
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
