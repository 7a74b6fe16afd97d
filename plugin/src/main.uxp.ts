/**
 * The Premiere panel's entry (bundled to dist/plugin/index.js, CommonJS): registers the manifest's panel with
 * UXP and mounts the shared UI with the Premiere host. `create` only wires things up; the companion
 * connection starts when a token is saved, and the sequence is read on show and on Refresh.
 */
import type { SocketLike } from './host';
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
        fetch: (url, init) => fetch(url, init),
        settings: localStorageSettings(),
        clientName: 'premiere-panel',
      });
      mountPanel(root as HTMLElement, controller);
      if (controller.state.connection.token) void controller.connect();
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
