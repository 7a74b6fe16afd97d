import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { scratchDir } from '../support/paths';
import { eventually, processesMentioning, smallInputs, startCli, startRenderChild, type SmallInputs } from './process-support';

const linuxOnly = process.platform === 'linux' ? undefined : 'reads the process table from /proc';
let inputs: SmallInputs;
before(async () => {
  inputs = await smallInputs(scratchDir('orphans-inputs'));
});

const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);

test('kill -9 of a process mid-render takes its ffmpeg with it: gone within 3 s, and the partial file stops growing', { skip: linuxOnly, timeout: 120_000 }, async () => {
  const out = join(scratchDir('orphans-kill'), 'preview.mp4');
  const partial = `${out}.partial.mp4`;
  const child = await startRenderChild(inputs, out);
  try {
    const renderers = processesMentioning(partial);
    assert.equal(renderers.length, 1, 'one ffmpeg renders');
    child.kill('SIGKILL');
    assert.ok(await eventually(() => processesMentioning(partial).length === 0, 3000), 'the render ffmpeg ended with its parent');
    const size = sizeOf(partial);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(sizeOf(partial), size, 'no more bytes are written');
  } finally {
    child.kill('SIGKILL');
    for (const pid of processesMentioning(partial)) process.kill(pid, 'SIGKILL');
  }
});

test('SIGHUP (a closed terminal) mid-render cancels the montage: exit code 130, no ffmpeg left, no output left', { skip: linuxOnly, timeout: 120_000 }, async () => {
  const out = join(scratchDir('orphans-hup'), 'out');
  const cli = startCli(['montage', '--movie', inputs.movie, '--music', inputs.music, '--out', out, '--no-cache']);
  try {
    await cli.stderrMatches(/^render…$/m);
    cli.child.kill('SIGHUP');
    const run = await cli.done;
    assert.equal(run.code, 130, `${run.signal ?? ''} ${run.stderr}`);
    assert.match(run.stderr, /^Cancelled\.$/m);
    assert.ok(await eventually(() => processesMentioning(out).length === 0, 3000), 'no ffmpeg of the job is left');
    assert.deepEqual(existsSync(out) ? readdirSync(out) : [], [], 'no output and no staging folder left');
  } finally {
    cli.child.kill('SIGKILL');
    for (const pid of processesMentioning(out)) process.kill(pid, 'SIGKILL');
  }
});
