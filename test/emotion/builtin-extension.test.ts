import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancellationToken } from '../../companion/core/lifecycle';
import { createExtensionHost } from '../../companion/host/index';
import { BUILTIN_ENCODERS, defaultEncoderIds } from '../../companion/analysis/emotion/config';
import { movieAnalysis } from './make-analysis';

test('the built-in extension registers every encoder it declares, with the right kind, through the host', async () => {
  const host = await createExtensionHost({ builtins: true });
  try {
    const listed = host.listEmotionEncoders();
    for (const { id, kind } of BUILTIN_ENCODERS) {
      const info = listed.find((e) => e.id === id);
      assert.ok(info, `host lists ${id}`);
      const encoder = await host.getEmotionEncoder(id);
      assert.equal(encoder.kind, kind);
      assert.equal(encoder.id, id);
    }
    for (const id of [...defaultEncoderIds.shot, ...defaultEncoderIds.music]) assert.ok(listed.some((e) => e.id === id), id);
    const frameAffect = await host.getEmotionEncoder('frame-affect');
    assert.equal(frameAffect.kind, 'shot');
    if (frameAffect.kind === 'shot') {
      const vectors = await frameAffect.encodeShots(movieAnalysis([{}, { brightness: 0.8 }]), CancellationToken.None);
      assert.equal(vectors.length, 2);
      assert.ok(vectors[1]!.valence > vectors[0]!.valence);
    }
    assert.deepEqual(host.diagnostics.filter((d) => d.where?.extension === 'emotion-encoders'), []);
  } finally {
    await host.disposeAsync();
  }
});
