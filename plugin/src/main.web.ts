/**
 * The web UI's entry (served by the companion from dist/web/): the same panel UI and controller as in
 * Premiere, with the browser host. The companion's address is this page's origin.
 */
import type { SocketLike } from './host';
import { PanelController } from './panel-controller';
import { mountPanel } from './ui/panel-view';
import { BrowserHost } from './web/browser-host';
import { localStorageSettings } from './web/browser-settings';

// `auto-montage serve` prints the web UI address with the token in the fragment (#token=…), which browsers never
// send to a server; a ?token= query works too. Either is taken once and removed from the address bar.
const query = new URLSearchParams(window.location.search);
const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
const tokenFromAddress = fragment.get('token') ?? query.get('token');
if (tokenFromAddress !== null) {
  query.delete('token');
  fragment.delete('token');
  const search = query.toString();
  const hash = fragment.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${search ? `?${search}` : ''}${hash ? `#${hash}` : ''}`);
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
void controller.restoreConnection();
