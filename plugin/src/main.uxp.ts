/**
 * The Premiere panel's entry (bundled to dist/plugin/index.js, CommonJS): registers the manifest's panel with
 * UXP and mounts the shared UI with the Premiere host. `create` only wires things up; the companion
 * connection starts when a token is saved, and the sequence is read on show and on Refresh.
 */
import type { SocketLike } from './host';
import { MANIFEST_SOCKET_ORIGINS } from './network-domains';
import { PANEL_ID } from './panel-ids';
import { PanelController } from './panel-controller';
import { mountPanel } from './ui/panel-view';
import { UxpPremiereHost, registerPanels } from './uxp/uxp-premiere-host';
import { localStorageSettings } from './web/browser-settings';

let controller: PanelController | undefined;

registerPanels({
  [PANEL_ID]: {
    create(root: unknown) {
      controller = new PanelController({
        host: new UxpPremiereHost(),
        // UXP's WebSocket takes a subprotocol; its d.ts declares no on* handlers, hence our SocketLike.
        socketFactory: (url, protocol) => new WebSocket(url, protocol) as unknown as SocketLike,
        // No fetch: everything travels over the WebSocket (macOS blocks http:// in UXP).
        allowedSocketOrigins: MANIFEST_SOCKET_ORIGINS,
        // Only the URL goes to localStorage; the token lives in secureStorage (host.secrets).
        settings: localStorageSettings(),
        clientName: 'premiere-panel',
      });
      mountPanel(root as HTMLElement, controller, { spectrum: true });
      void controller.restoreConnection();
      void controller.refreshSequence();
    },
    show() {
      void controller?.refreshSequence();
    },
    destroy() {
      controller?.dispose();
      controller = undefined;
    },
  },
});
