/**
 * How the panel meets the companion in a real Premiere, with the real companion on 127.0.0.1 and the `ws` client
 * behind UXP's network rules (testing/uxp-network.ts): pairing with the short code the companion prints (UXP
 * cannot read a password field on macOS), the token kept in secureStorage and never in localStorage, and the three
 * failures that used to read alike ("not running", a refused Origin, an address the manifest does not allow),
 * each with its own fix. The timeline itself comes over the WebSocket: see panel-controller.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../companion/server/index';
import type { SocketLike } from '../../plugin/src/host';
import { MANIFEST_SOCKET_ORIGINS } from '../../plugin/src/network-domains';
import { PanelController, credentialsFrom, memorySettings, type SettingsStore } from '../../plugin/src/panel-controller';
import { FakePremiereHost } from '../../plugin/src/testing/fake-premiere-host';
import { uxpNetwork } from '../../plugin/src/testing/uxp-network';
import { fakeRunJob } from '../server/ws-client';

const TOKEN_KEY = 'automontage.token';

async function withServer(body: (server: RunningServer, codes: string[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'am-panel-connection-'));
  const codes: string[] = [];
  const server = await startServer({ port: 0, dataDir: join(dir, 'data'), configDir: join(dir, 'config'), runJob: fakeRunJob(), onPairingCode: (code) => codes.push(code) });
  try {
    await body(server, codes);
  } finally {
    await server.close();
  }
}

function panel(host: FakePremiereHost, url: string, options: { settings?: SettingsStore; origin?: string; domains?: readonly string[] } = {}) {
  const port = new URL(url).port;
  const network = uxpNetwork(host.platform, options.domains ?? [`ws://127.0.0.1:${port}`], {
    socketFactory: (address, protocol) => new WebSocket(address, protocol, options.origin ? { origin: options.origin } : {}) as unknown as SocketLike,
  });
  const controller = new PanelController({ host, socketFactory: network.socketFactory, fetch: network.fetch, url, ...(options.settings ? { settings: options.settings } : {}) });
  return { controller, log: network.log };
}

test('the panel pairs once with the code the companion prints, keeps the token in secureStorage and not in localStorage, and reconnects with it', async () => {
  await withServer(async (server, codes) => {
    const code = server.pairingCode();
    assert.match(code, /^[2-9A-HJ-NP-TV-Z]{4}-[2-9A-HJ-NP-TV-Z]{4}$/, 'eight unambiguous letters and digits');
    const settings = memorySettings();
    const host = new FakePremiereHost({ platform: 'mac' });
    const first = panel(host, server.url, { settings });
    // Typed as an editor would, lower case with a space.
    assert.equal(await first.controller.connect(server.url, code.toLowerCase().replace('-', ' ')), true, JSON.stringify(first.controller.state.problem));
    assert.equal(first.controller.state.connection.status, 'connected');
    assert.equal(first.controller.state.connection.token, server.token, 'the welcome brought the token');
    assert.equal(host.secureStorage.text(TOKEN_KEY), server.token, 'the token is in secureStorage');
    assert.equal(settings.get(TOKEN_KEY), null, 'and not in localStorage');
    assert.equal(settings.get('automontage.url'), server.url);
    assert.match(first.controller.state.connection.health ?? '', /^v\d+\.\d+\.\d+ · CPU · 0 running, 0 queued$/, 'the status line came with the welcome');
    first.controller.dispose();

    // The code is used up: the companion announced the next one, and the old one is refused.
    assert.equal(codes.length, 1);
    assert.notEqual(codes[0], code);
    assert.equal(server.pairingCode(), codes[0]);
    const stranger = panel(new FakePremiereHost(), server.url);
    assert.equal(await stranger.controller.connect(server.url, code), false);
    assert.equal(stranger.controller.state.problem?.title, 'The companion refused the pairing code or the token.');
    assert.match(stranger.controller.state.problem?.fix ?? '', /pairing code .* printed last/);
    stranger.controller.dispose();

    // The next panel start reads the token back from secureStorage and connects with no code.
    const again = new PanelController({ host, socketFactory: (address, protocol) => new WebSocket(address, protocol) as unknown as SocketLike, url: server.url, settings });
    assert.equal(await again.restoreConnection(), true, JSON.stringify(again.state.problem));
    assert.equal(again.state.connection.status, 'connected');
    await again.forgetPairing();
    assert.equal(host.secureStorage.text(TOKEN_KEY), undefined, 'Forget pairing removes the token');
    assert.equal(await again.restoreConnection(), false, 'nothing saved: the panel waits for a code');
    again.dispose();
  });
});

test('a token an older panel saved in localStorage moves into secureStorage at the next start', async () => {
  await withServer(async (server) => {
    const settings = memorySettings({ [TOKEN_KEY]: server.token });
    const host = new FakePremiereHost();
    const { controller } = panel(host, server.url, { settings });
    assert.equal(await controller.restoreConnection(), true, JSON.stringify(controller.state.problem));
    assert.equal(host.secureStorage.text(TOKEN_KEY), server.token);
    assert.equal(settings.get(TOKEN_KEY), '', 'localStorage no longer holds it');
    controller.dispose();
  });
});

test('without a saved token or a code the panel asks to pair instead of sending an empty hello', async () => {
  await withServer(async (server) => {
    const { controller, log } = panel(new FakePremiereHost(), server.url);
    assert.equal(await controller.connect(), false);
    assert.equal(controller.state.problem?.title, 'The panel is not paired with the companion yet.');
    assert.match(controller.state.problem?.fix ?? '', /pairing code/);
    assert.deepEqual(log.sockets, [], 'no socket was opened');
    controller.dispose();
  });
});

test('not running, a refused Origin and an address outside the manifest are three different problems, each with its fix', async () => {
  await withServer(async (server) => {
    // 1. The manifest lists only the default port: any other is refused by the host before a socket exists.
    const outside = panel(new FakePremiereHost(), server.url, { domains: MANIFEST_SOCKET_ORIGINS });
    assert.equal(await outside.controller.connect(server.url, server.token), false);
    assert.match(outside.controller.state.problem?.title ?? '', /^Premiere did not let the panel open http:\/\/127\.0\.0\.1:\d+\.$/);
    assert.match(outside.controller.state.problem?.fix ?? '', /manifest\.json .*network\.domains/);
    outside.controller.dispose();

    // 2. The companion refuses the Origin: it says so over the socket and closes with 4403.
    const foreign = panel(new FakePremiereHost(), server.url, { origin: 'https://evil.example' });
    assert.equal(await foreign.controller.connect(server.url, server.token), false);
    assert.equal(foreign.controller.state.problem?.title, 'The companion refused the panel’s origin.');
    assert.equal(foreign.controller.state.problem?.code, 'AM_ERR_FORBIDDEN_ORIGIN');
    assert.match(foreign.controller.state.problem?.detail ?? '', /evil\.example/);
    assert.match(foreign.controller.state.problem?.fix ?? '', /same release/);
    foreign.controller.dispose();
  });
  // 3. Nothing listens: "not running", with the command that starts it.
  const dir = mkdtempSync(join(tmpdir(), 'am-panel-gone-'));
  const gone = await startServer({ port: 0, dataDir: join(dir, 'data'), configDir: join(dir, 'config'), runJob: fakeRunJob() });
  await gone.close();
  const missing = panel(new FakePremiereHost(), gone.url);
  assert.equal(await missing.controller.connect(gone.url, gone.token), false);
  assert.equal(missing.controller.state.problem?.title, `The companion is not running at ${gone.url}.`);
  assert.match(missing.controller.state.problem?.fix ?? '', /npx auto-montage serve/);
  missing.controller.dispose();
});

test('what the editor types is read as a pairing code when it has the code’s shape, as the token otherwise', () => {
  assert.deepEqual(credentialsFrom(' k7qm-4xz2 ', 'saved'), { pairingCode: 'K7QM4XZ2' });
  assert.deepEqual(credentialsFrom('K7QM 4XZ2', 'saved'), { pairingCode: 'K7QM4XZ2' });
  const token = 'ab'.repeat(32);
  assert.deepEqual(credentialsFrom(token, 'saved'), { token });
  assert.deepEqual(credentialsFrom('', 'saved'), { token: 'saved' });
});

test('the panel’s allowed WebSocket origins are exactly the ws:// entries of manifest.json', () => {
  const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'manifest.json'), 'utf8')) as { requiredPermissions: { network: { domains: string[] } } };
  assert.deepEqual(manifest.requiredPermissions.network.domains.filter((domain) => domain.startsWith('ws')), [...MANIFEST_SOCKET_ORIGINS]);
});
