import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClientFrame } from '../../companion/protocol/schema';
import { toMontageRequest } from '../../companion/server/pipeline-runner';
import type { MontageMessage } from '../../companion/protocol/messages';

/** The job a montage frame becomes (as the session builds it). */
const job = (message: MontageMessage) => ({ kind: 'montage' as const, movie: message.movie!, music: message.music, options: message.options ?? {}, preview: false });

const frame = (options: unknown) => JSON.stringify({ type: 'montage', requestId: 'm', movie: { path: '/m.mp4' }, music: { path: '/a.ogg' }, options });

test('the clean-pool options travel from a protocol frame to the montage request', () => {
  const parsed = parseClientFrame(frame({ keepTextShots: true, keepDuplicates: false, keepBlankShots: true, keepShots: [0, 7] }), 1 << 20);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  if (!parsed.ok || parsed.message.type !== 'montage') return;
  const request = toMontageRequest(job(parsed.message));
  assert.deepEqual(
    { keepTextShots: request.options?.keepTextShots, keepDuplicates: request.options?.keepDuplicates, keepBlankShots: request.options?.keepBlankShots, keepShots: request.options?.keepShots },
    { keepTextShots: true, keepDuplicates: false, keepBlankShots: true, keepShots: [0, 7] },
  );
  // Absent options stay absent (the pool's defaults apply).
  const plain = parseClientFrame(frame({}), 1 << 20);
  assert.ok(plain.ok && plain.message.type === 'montage');
  if (plain.ok && plain.message.type === 'montage') assert.equal('keepTextShots' in (toMontageRequest(job(plain.message)).options ?? {}), false);
});

test('a bad clean-pool option is refused with the key that is wrong', () => {
  for (const [options, field] of [
    [{ keepTextShots: 'yes' }, 'options.keepTextShots'],
    [{ keepShots: [1, -2] }, 'options.keepShots[1]'],
  ] as const) {
    const parsed = parseClientFrame(frame(options), 1 << 20);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) {
      assert.equal(parsed.error.code, 'AM_ERR_PROTOCOL_MALFORMED');
      assert.equal(parsed.error.where?.field, field, parsed.error.message);
    }
  }
});
