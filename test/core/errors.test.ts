import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CancellationError, ERROR_CODES, formatError, MontageError, toMontageError } from '../../companion/core/errors';

const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

test('every error code is documented in docs/errors.md and every documented code exists', () => {
  const documented = [...docs.matchAll(/^## (AM_ERR_[A-Z0-9_]+)\s*$/gm)].map((m) => m[1]);
  assert.deepEqual([...documented].sort(), Object.keys(ERROR_CODES).sort());
});

test('error codes are unique and each has a non-empty summary and docs paragraph', () => {
  const codes = Object.keys(ERROR_CODES);
  assert.equal(new Set(codes).size, codes.length);
  for (const [code, summary] of Object.entries(ERROR_CODES)) {
    assert.ok(summary.length > 10, code);
    const section = docs.split(`## ${code}\n`)[1]?.split('\n## ')[0]?.trim() ?? '';
    assert.ok(section.length > 10, `${code} has a paragraph`);
  }
});

test('a MontageError serialises to code, message and where, and formats for humans', () => {
  const error = new MontageError('AM_ERR_NO_AUDIO_STREAM', 'The music file a.mp4 has no audio stream.', { where: { file: 'a.mp4' } });
  assert.deepEqual(JSON.parse(JSON.stringify(error)), { code: 'AM_ERR_NO_AUDIO_STREAM', message: 'The music file a.mp4 has no audio stream.', where: { file: 'a.mp4' } });
  assert.match(formatError(error.toJSON()), /^AM_ERR_NO_AUDIO_STREAM: .* — a\.mp4$/);
});

test('cancellation is its own error type and unknown throws become internal errors', () => {
  assert.equal(new CancellationError().code, 'AM_ERR_CANCELLED');
  assert.ok(new CancellationError() instanceof MontageError);
  const wrapped = toMontageError(new TypeError('boom'));
  assert.equal(wrapped.code, 'AM_ERR_INTERNAL');
  assert.equal(wrapped.message, 'boom');
});
