/**
 * Issue 18, item 4 (restart half): a companion killed with SIGKILL while a job runs leaves a work folder; the
 * next start reports that job as failed with AM_ERR_INTERRUPTED (it used to be AM_ERR_JOB_NOT_FOUND) and
 * removes its partial output.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROTOCOL_VERSION, type AcceptedMessage, type JobStateMessage } from '../../companion/protocol/messages';
import { startServer } from '../../companion/server/index';
import { beatsDir, filmDir, repoRoot, scratchDir } from '../support/paths';
import { connect, connectReady, fakeRunJob } from '../server/ws-client';

test('a job running when the companion is killed is reported failed with AM_ERR_INTERRUPTED after a restart', { timeout: 90_000 }, async () => {
  const root = scratchDir('hardening-interrupted');
  const dataDir = join(root, 'data');
  const env = { ...process.env, XDG_CONFIG_HOME: join(root, 'config') };
  // The real `auto-montage serve`, in its own process group so its ffmpeg children can be cleaned up too.
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'companion', 'main.ts'), 'serve', '--port', '0', '--data', dataDir], { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let banner = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        banner += chunk.toString();
        const match = /WebSocket: (ws:\/\/\S+)/.exec(banner);
        if (match && /token: +([0-9a-f]{64})/.test(banner)) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const token = /token: +([0-9a-f]{64})/.exec(banner)![1]!;
    const client = await connect(url);
    client.send({ type: 'hello', protocol: PROTOCOL_VERSION, token });
    await client.next((m) => m.type === 'welcome');
    client.send({ type: 'montage', requestId: 'm', movie: { path: join(filmDir, 'sintel_trailer.mp4') }, music: { path: join(beatsDir, 'fof_escape_from_chaosland.ogg'), range: { startSeconds: 30, endSeconds: 40 } }, preview: false });
    const { jobId } = await client.next<AcceptedMessage>((m) => m.type === 'accepted', 30_000);
    await client.next((m) => m.type === 'progress' && m.jobId === jobId, 30_000);
    process.kill(-child.pid!, 'SIGKILL');
    await client.closed;
    assert.ok(readdirSync(join(dataDir, 'jobs')).includes(`.work-${jobId}`), 'the killed job left its work folder');

    const server = await startServer({ port: 0, dataDir, configDir: join(root, 'config', 'auto-montage'), uiDir: join(root, 'ui'), runJob: fakeRunJob() });
    try {
      const again = await connectReady(server);
      again.send({ type: 'job', requestId: 'state', jobId });
      const state = await again.next<JobStateMessage>((m) => 'requestId' in m && m.requestId === 'state');
      assert.equal(state.type, 'jobState', JSON.stringify(state));
      assert.equal(state.status, 'failed');
      assert.equal(state.error?.code, 'AM_ERR_INTERRUPTED');
      assert.equal(existsSync(join(dataDir, 'jobs', `.work-${jobId}`)), false, 'the partial output is removed');
      await again.close();
    } finally {
      await server.close();
    }
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(root, { recursive: true, force: true });
  }
});
