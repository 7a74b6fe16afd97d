import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLIENT_MESSAGE_TYPES, MUSIC_MOODS, MUSIC_OPTION_LIMITS, type ClientMessage } from '../../companion/protocol/messages';
import { MOOD_CHOICES } from '../../companion/analysis/emotion/fixed-mood';
import { MAX_BEATS_PER_BAR, MAX_TEMPO_BPM, MIN_BEATS_PER_BAR, MIN_TEMPO_BPM } from '../../companion/pipeline/run-montage';
import { CLIENT_SCHEMAS, parseClientFrame } from '../../companion/protocol/schema';

const valid: ClientMessage[] = [
  { type: 'hello', protocol: 1, token: 'a'.repeat(64), client: 'test' },
  { type: 'analyse', requestId: 'a', movie: { path: '/m.mp4' }, music: { path: '/a.ogg' }, options: { granularity: 'beat', beatsPerBar: 3, bpm: 92.5, firstDownbeatSeconds: 1.25, mood: 'auto' } },
  {
    type: 'montage',
    requestId: 'm',
    movie: { path: '/m.mp4', range: { startSeconds: 1, endSeconds: 2.5 } },
    music: { path: '/a.ogg', range: { startSeconds: 0, endSeconds: 30 } },
    options: { scenes: 4, mode: 'soft', granularity: '2bars', trim: false, arc: true, pins: [1, 2], bans: [3], downbeatShift: 1, beatsPerBar: 7, bpm: 140, firstDownbeatSeconds: 30.5, mood: 'tense' },
    formats: ['fcp7-xml', 'edl'],
    preview: false,
  },
  { type: 'resolve', requestId: 'r', jobId: 'abc-123', options: { pins: [] }, preview: true },
  { type: 'cancel', requestId: 'c', jobId: 'abc-123' },
  { type: 'job', requestId: 'j', jobId: 'abc-123' },
  { type: 'ping', requestId: 'p' },
  { type: 'hello', protocol: 1, token: '', pairingCode: 'K7QM-4XZ2' },
  { type: 'file', requestId: 'f', jobId: 'abc-123', name: 'montage.xml' },
];

test('every client message type has a schema, and a valid example of each parses to itself', () => {
  assert.deepEqual(Object.keys(CLIENT_SCHEMAS).sort(), [...CLIENT_MESSAGE_TYPES].sort());
  assert.deepEqual([...new Set(valid.map((m) => m.type))].sort(), [...CLIENT_MESSAGE_TYPES].sort());
  for (const message of valid) {
    const parsed = parseClientFrame(JSON.stringify(message), 1 << 20);
    assert.ok(parsed.ok, `${message.type}: ${JSON.stringify(parsed)}`);
    assert.deepEqual(parsed.message, message);
  }
});

test('refusals name the bad key and echo a readable requestId', () => {
  const cases: [unknown, string, string][] = [
    [{ type: 'ping', requestId: 'p', extra: 1 }, 'extra', 'unknown key "extra"'],
    [{ type: 'montage', requestId: 'm', movie: { path: '/m' }, music: { path: '/a', range: { startSeconds: 3, endSeconds: 2 } } }, 'music.range.endSeconds', 'endSeconds must be greater'],
    [{ type: 'montage', requestId: 'm', movie: { path: '/m' }, music: { path: '/a' }, options: { pins: [0, -1] } }, 'options.pins[1]', 'options.pins[1]'],
    [{ type: 'montage', requestId: 'm', music: { path: '/a' } }, 'movie', '"movie" is required'],
    [{ type: 'cancel', requestId: 'c', jobId: '../x' }, 'jobId', 'job id'],
  ];
  for (const [frame, field, text] of cases) {
    const parsed = parseClientFrame(JSON.stringify(frame), 1 << 20);
    assert.equal(parsed.ok, false);
    if (parsed.ok) continue;
    assert.equal(parsed.error.code, 'AM_ERR_PROTOCOL_MALFORMED');
    assert.equal(parsed.error.where?.field, field, JSON.stringify(parsed.error));
    assert.ok(parsed.error.message.includes(text), parsed.error.message);
    assert.equal(parsed.requestId, (frame as { requestId: string }).requestId);
  }
});

test('all problems of a frame are listed as diagnostics, not only the first', () => {
  const parsed = parseClientFrame(JSON.stringify({ type: 'montage', requestId: 'm', movie: { path: '' }, music: {}, options: { mode: 'x', scenes: 0 } }), 1 << 20);
  assert.equal(parsed.ok, false);
  if (parsed.ok) return;
  const fields = (parsed.error.diagnostics ?? []).map((d) => d.where?.field).sort();
  assert.deepEqual(fields, ['movie.path', 'music.path', 'options.mode', 'options.scenes']);
});

test('the size limit counts UTF-8 bytes, not characters', () => {
  const frame = JSON.stringify({ type: 'ping', requestId: 'é'.repeat(30) });
  const bytes = Buffer.byteLength(frame);
  assert.ok(bytes > frame.length);
  assert.equal(parseClientFrame(frame, bytes).ok, true);
  const refused = parseClientFrame(frame, bytes - 1);
  assert.equal(refused.ok, false);
  if (!refused.ok) {
    assert.equal(refused.error.code, 'AM_ERR_PROTOCOL_FRAME_TOO_LARGE');
    assert.deepEqual(refused.error.details, { bytes, maxFrameBytes: bytes - 1 });
  }
});

test('unknown types, non-objects and bad JSON get their own codes', () => {
  const codes = ['{"type":"launch","requestId":"x"}', '[]', '42', '{"type":', '{"requestId":"x"}'].map((text) => {
    const parsed = parseClientFrame(text, 1000);
    return parsed.ok ? 'ok' : parsed.error.code;
  });
  assert.deepEqual(codes, ['AM_ERR_PROTOCOL_UNKNOWN_TYPE', 'AM_ERR_PROTOCOL_MALFORMED', 'AM_ERR_PROTOCOL_MALFORMED', 'AM_ERR_PROTOCOL_MALFORMED', 'AM_ERR_PROTOCOL_MALFORMED']);
  const prototype = parseClientFrame('{"type":"__proto__","requestId":"x"}', 1000);
  assert.equal(prototype.ok ? 'ok' : prototype.error.code, 'AM_ERR_PROTOCOL_UNKNOWN_TYPE');
});

test('the music overrides are range-checked: metre 2–12, tempo 30–300 BPM, a first downbeat in seconds, a known mood', () => {
  const frame = (options: Record<string, unknown>) => parseClientFrame(JSON.stringify({ type: 'montage', requestId: 'm', movie: { path: '/m' }, music: { path: '/a' }, options }), 1 << 20);
  for (const options of [{ beatsPerBar: 2 }, { beatsPerBar: 12 }, { bpm: 30 }, { bpm: 300 }, { firstDownbeatSeconds: 0 }, ...['auto', 'excited', 'fearful', 'neutral', 'relaxed', 'sad', 'tense'].map((mood) => ({ mood }))]) {
    assert.ok(frame(options).ok, JSON.stringify(options));
  }
  const bad: [Record<string, unknown>, string][] = [
    [{ beatsPerBar: 1 }, 'options.beatsPerBar'],
    [{ beatsPerBar: 13 }, 'options.beatsPerBar'],
    [{ beatsPerBar: 3.5 }, 'options.beatsPerBar'],
    [{ bpm: 29 }, 'options.bpm'],
    [{ bpm: '120' }, 'options.bpm'],
    [{ firstDownbeatSeconds: -0.5 }, 'options.firstDownbeatSeconds'],
    [{ mood: 'happy' }, 'options.mood'],
    [{ mood: 'Sad' }, 'options.mood'],
    [{ tempo: 120 }, 'options.tempo'],
  ];
  for (const [options, field] of bad) {
    const parsed = frame(options);
    assert.equal(parsed.ok, false, JSON.stringify(options));
    if (!parsed.ok) assert.equal(parsed.error.where?.field, field, parsed.error.message);
  }
});

test('the protocol’s music limits are the pipeline’s, so what the schema lets through the pipeline accepts', () => {
  assert.deepEqual(MUSIC_OPTION_LIMITS.beatsPerBar, { min: MIN_BEATS_PER_BAR, max: MAX_BEATS_PER_BAR });
  assert.deepEqual(MUSIC_OPTION_LIMITS.bpm, { min: MIN_TEMPO_BPM, max: MAX_TEMPO_BPM });
  assert.deepEqual([...MUSIC_MOODS], [...MOOD_CHOICES]);
});

test('a montage names its footage as one movie or as a list of sources with ids, places and a timeline rate', () => {
  const frame = {
    type: 'montage',
    requestId: 's',
    sources: [
      { path: '/a.mov', range: { startSeconds: 1, endSeconds: 4 }, timelineSeconds: 0, id: 'clip-1' },
      { path: '/b.mp4', timelineSeconds: 3 },
    ],
    rate: { num: 30000, den: 1001 },
    music: { path: '/m.ogg' },
    options: { pins: [2, { source: 'clip-1', shot: 0 }], bans: [{ source: 'source-2', shot: 4 }] },
  };
  const parsed = parseClientFrame(JSON.stringify(frame), 1 << 20);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.deepEqual(parsed.message, frame);
  const refused: [Record<string, unknown>, string, string][] = [
    [{ ...frame, movie: { path: '/a.mov' } }, 'sources', 'not both'],
    [{ ...frame, sources: [] }, 'sources', 'sources'],
    [{ ...frame, sources: [{ path: '/a', id: 'x' }, { path: '/b', id: 'x' }] }, 'sources', 'same id'],
    [{ ...frame, sources: [{ path: '/a', id: 'a b' }] }, 'sources[0].id', 'source id'],
    [{ ...frame, rate: { num: 0, den: 1 } }, 'rate.num', 'rate.num'],
    [{ ...frame, options: { pins: [{ source: 'clip-1', shot: -1 }] } }, 'options.pins[0]', 'options.pins[0]'],
  ];
  for (const [bad, field, text] of refused) {
    const result = parseClientFrame(JSON.stringify(bad), 1 << 20);
    assert.equal(result.ok, false, JSON.stringify(bad));
    if (result.ok) continue;
    assert.ok(result.error.where?.field?.startsWith(field), `${field}: ${JSON.stringify(result.error)}`);
    assert.ok(result.error.message.includes(text), result.error.message);
  }
});
