/**
 * The web UI's entry (served by the companion from dist/web/): the same panel UI and controller as in
 * Premiere, with the browser host. The companion's address is this page's origin; a `?token=` in the address
 * (as `auto-montage serve` may print it) is taken once and then removed from the address bar.
 */
import type { SocketLike } from './host';
import { PanelController } from './panel-controller';
import { mountPanel } from './ui/panel-view';
import { BrowserHost } from './web/browser-host';
import { localStorageSettings } from './web/browser-settings';

const params = new URLSearchParams(window.location.search);
const tokenFromAddress = params.get('token');
if (tokenFromAddress !== null) {
  params.delete('token');
  const query = params.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${query ? `?${query}` : ''}${window.location.hash}`);
}
const sameOrigin = /^https?:$/.test(window.location.protocol) ? window.location.origin : undefined;
const settings = localStorageSettings();
const controller = new PanelController({
  host: new BrowserHost(),
  socketFactory: (url, protocol) => new WebSocket(url, protocol) as unknown as SocketLike,
  fetch: (url, init) => window.fetch(url, init),
  settings,
  ...(sameOrigin ? { url: sameOrigin } : {}),
  ...(tokenFromAddress !== null ? { token: tokenFromAddress } : {}),
  clientName: 'auto-montage web',
});
const root = document.getElementById('app') ?? document.body;
mountPanel(root, controller);
(window as unknown as { automontage: PanelController }).automontage = controller;
if (controller.state.connection.token) void controller.connect();
