import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PANEL_OPTIONS, RequestProblem, allowedRelaxations, buildSequenceRequest, buildTypedRequest, clipKey, musicClips, requestOptions, withoutRelaxation } from '../../plugin/src/montage-request';
import { clip, editSequence, ticks } from './support/fixtures';

const options = { scenes: 4, mode: 'soft' as const, granularity: '2bars' as const, relax: 'auto' as const, mood: 'auto' as const };

test('the music candidates are audio clips other than the movie’s own sound', () => {
  const clips = musicClips(editSequence());
  assert.deepEqual(clips.map((c) => c.mediaPath), ['/media/song.wav']);
});

test('a music clip with "whole music" sends the clip’s source range and the panel’s options', () => {
  const sequence = editSequence();
  const song = musicClips(sequence)[0]!;
  const { request, warnings } = buildSequenceRequest(sequence, { kind: 'clip', clipKey: clipKey(song) }, 'music', options);
  // Each clip of the movie is a source with its own select, not the union of them; the logo on V2 is a still.
  assert.equal(request.movie, undefined);
  assert.deepEqual(request.sources, [
    { path: '/media/movie.mp4', range: { startSeconds: 5, endSeconds: 25 }, timelineSeconds: 0 },
    { path: '/media/movie.mp4', range: { startSeconds: 40, endSeconds: 70 }, timelineSeconds: 20 },
  ]);
  assert.deepEqual(request.rate, { num: 25, den: 1 });
  assert.deepEqual(request.music, { path: '/media/song.wav', range: { startSeconds: 12, endSeconds: 52 } });
  assert.deepEqual(request.options, { scenes: 4, mode: 'soft', granularity: '2bars' });
  assert.deepEqual(request.formats, ['fcp7-xml']);
  assert.deepEqual(warnings, ['Left out 1 still image (logo.png).']);
});

test('every enabled video clip of every track is a source in sequence order; with clips selected, only those', () => {
  const sequence = editSequence({
    ticksPerFrame: 254016000000 / (30000 / 1001),
    clips: [
      clip({ kind: 'video', track: 1, mediaPath: '/media/b.mov', srcInTicks: ticks(3), srcOutTicks: ticks(6), startTicks: ticks(12), endTicks: ticks(15) }),
      clip({ kind: 'video', mediaPath: '/media/a.mp4', srcInTicks: ticks(1), srcOutTicks: ticks(4), startTicks: '0', endTicks: ticks(3) }),
      clip({ kind: 'video', mediaPath: '/media/c.mxf', srcInTicks: ticks(8), srcOutTicks: ticks(9.5), startTicks: ticks(5), endTicks: ticks(6.5), disabled: true }),
      clip({ kind: 'video', mediaPath: '/media/a.mp4', srcInTicks: ticks(20), srcOutTicks: ticks(26), startTicks: ticks(6), endTicks: ticks(12) }),
      clip({ kind: 'video', mediaPath: '', name: 'Title', startTicks: ticks(15), endTicks: ticks(17) }),
      clip({ kind: 'audio', track: 1, mediaPath: '/media/song.wav', srcInTicks: '0', srcOutTicks: ticks(30), startTicks: '0', endTicks: ticks(30) }),
    ],
  });
  const all = buildSequenceRequest(sequence, { kind: 'file', path: '/media/song.wav' }, 'music', options);
  assert.deepEqual(all.request.sources, [
    { path: '/media/a.mp4', range: { startSeconds: 1, endSeconds: 4 }, timelineSeconds: 0 },
    { path: '/media/a.mp4', range: { startSeconds: 20, endSeconds: 26 }, timelineSeconds: 6 },
    { path: '/media/b.mov', range: { startSeconds: 3, endSeconds: 6 }, timelineSeconds: 12 },
  ]);
  assert.deepEqual(all.request.rate, { num: 30000, den: 1001 }, 'the sequence’s rate, exactly');
  assert.deepEqual(all.warnings, []);
  const chosen = { ...sequence, clips: sequence.clips.map((c) => (c.mediaPath === '/media/b.mov' || c.srcInTicks === ticks(1) ? { ...c, selected: true } : c)) };
  const some = buildSequenceRequest(chosen, { kind: 'file', path: '/media/song.wav' }, 'music', options);
  assert.deepEqual(some.request.sources?.map((s) => [s.path, s.timelineSeconds]), [['/media/a.mp4', 0], ['/media/b.mov', 12]]);
  assert.deepEqual(some.warnings, ['The montage uses the 2 selected video clips of 3.']);
});

test('"sequence In/Out" keeps only the part of the music clip between the marks, in source time', () => {
  // The song sits at 10–50 s on the timeline from source 12 s; In/Out 20–30 s → source 22–32 s.
  const sequence = editSequence({ inTicks: ticks(20), outTicks: ticks(30) });
  const song = musicClips(sequence)[0]!;
  const { request } = buildSequenceRequest(sequence, { kind: 'clip', clipKey: clipKey(song) }, 'inout', options);
  assert.deepEqual(request.music.range, { startSeconds: 22, endSeconds: 32 });
});

test('a music file with "sequence In/Out" lasts as long as the marks', () => {
  const sequence = editSequence({ inTicks: ticks(20), outTicks: ticks(35.5) });
  const { request } = buildSequenceRequest(sequence, { kind: 'file', path: ' /music/track.mp3 ' }, 'inout', options);
  assert.deepEqual(request.music, { path: '/music/track.mp3', range: { startSeconds: 0, endSeconds: 15.5 } });
});

test('missing pieces are refused with a fix the editor can act on', () => {
  const noMarks = editSequence();
  const song = musicClips(noMarks)[0]!;
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      assert.ok(error instanceof RequestProblem);
      return error;
    }
    assert.fail('expected a RequestProblem');
  };
  const inOut = refusal(() => buildSequenceRequest(noMarks, { kind: 'clip', clipKey: clipKey(song) }, 'inout', options));
  assert.match(inOut.message, /no In and Out points/);
  assert.match(inOut.fix, /Whole music/);
  const noFile = refusal(() => buildSequenceRequest(noMarks, { kind: 'file', path: '' }, 'music', options));
  assert.match(noFile.fix, /music/);
  const noVideo = refusal(() => buildSequenceRequest(editSequence({ clips: [clip({ kind: 'audio', mediaPath: '/a.wav' })] }), { kind: 'file', path: '/a.wav' }, 'music', options));
  assert.match(noVideo.message, /no enabled video clip/);
  const outside = refusal(() => buildSequenceRequest(editSequence({ inTicks: ticks(51), outTicks: ticks(55) }), { kind: 'clip', clipKey: clipKey(song) }, 'inout', options));
  assert.match(outside.message, /outside the sequence In and Out/);
  const gone = refusal(() => buildSequenceRequest(noMarks, { kind: 'clip', clipKey: 'audio:9:0' }, 'music', options));
  assert.match(gone.fix, /Refresh/);
});

test('typed paths (web UI) become a request with optional ranges and a preview', () => {
  const { request } = buildTypedRequest({ moviePath: '/m.mp4', musicPath: '/s.ogg', musicStartSeconds: '30', musicEndSeconds: '50' }, options);
  assert.deepEqual(request.movie, { path: '/m.mp4' });
  assert.deepEqual(request.music, { path: '/s.ogg', range: { startSeconds: 30, endSeconds: 50 } });
  assert.equal(request.preview, true);
  assert.equal(request.formats, undefined, 'every format, for the download links');
  assert.throws(() => buildTypedRequest({ moviePath: '/m.mp4', musicPath: '/s.ogg', musicStartSeconds: '30' }, options), /start but no end/);
  assert.throws(() => buildTypedRequest({ moviePath: '/m.mp4', musicPath: '/s.ogg', musicStartSeconds: '30', musicEndSeconds: '20' }, options), /after the start/);
  assert.throws(() => buildTypedRequest({ moviePath: ' ', musicPath: '/s.ogg' }, options), /No movie file/);
});

test('the music overrides go into the request only where the editor set them; mood auto is left to the companion', () => {
  const overrides = { ...options, bpm: 92.5, beatsPerBar: 3, firstDownbeatSeconds: 1.25, mood: 'tense' as const };
  const sequence = editSequence();
  const song = musicClips(sequence)[0]!;
  for (const { request } of [buildSequenceRequest(sequence, { kind: 'clip', clipKey: clipKey(song) }, 'music', overrides), buildTypedRequest({ moviePath: '/m.mp4', musicPath: '/s.ogg' }, overrides)]) {
    assert.deepEqual(request.options, { scenes: 4, mode: 'soft', granularity: '2bars', bpm: 92.5, beatsPerBar: 3, firstDownbeatSeconds: 1.25, mood: 'tense' });
  }
  assert.deepEqual(requestOptions({ ...options, beatsPerBar: 7 }), { scenes: 4, mode: 'soft', granularity: '2bars', beatsPerBar: 7 }, 'the rest stay unset, so the companion reads them');
  assert.deepEqual(requestOptions({ ...options, firstDownbeatSeconds: 0 }), { scenes: 4, mode: 'soft', granularity: '2bars', firstDownbeatSeconds: 0 }, 'a first downbeat at 0 s is a value, not "unset"');
});

test('music overrides out of range are refused with a fix, before anything is sent', () => {
  const cases: [Partial<typeof options> & Record<string, unknown>, RegExp, RegExp][] = [
    [{ bpm: 12 }, /tempo 12 BPM/, /30 to 300 BPM/],
    [{ bpm: Number.NaN }, /tempo/, /clear the field/],
    [{ beatsPerBar: 1 }, /1 beats per bar/, /2 to 12/],
    [{ beatsPerBar: 2.5 }, /2\.5 beats per bar/, /Auto/],
    [{ firstDownbeatSeconds: -3 }, /first downbeat/, /seconds into the music/],
  ];
  for (const [bad, message, fix] of cases) {
    assert.throws(
      () => buildTypedRequest({ moviePath: '/m.mp4', musicPath: '/s.ogg' }, { ...options, ...bad }),
      (error: unknown) => error instanceof RequestProblem && message.test(error.message) && fix.test(error.fix),
      JSON.stringify(bad),
    );
  }
});

test('relax goes with the request only when it is not the companion’s default, and an undo forbids one kind', () => {
  assert.equal('relax' in requestOptions(options), false, 'auto is the default');
  assert.deepEqual(requestOptions({ ...options, relax: 'none' }).relax, 'none');
  assert.deepEqual(requestOptions({ ...options, relax: ['trim', 'music'] }).relax, ['trim', 'music']);
  assert.deepEqual(withoutRelaxation('auto', 'scenes'), ['granularity', 'trim', 'music']);
  assert.deepEqual(withoutRelaxation(['music', 'trim'], 'trim'), ['music']);
  assert.equal(withoutRelaxation('music', 'music'), 'none');
  assert.deepEqual(allowedRelaxations(['music', 'granularity']), ['granularity', 'music'], 'in the companion’s order');
  assert.deepEqual(DEFAULT_PANEL_OPTIONS.granularity, 'auto');
});
