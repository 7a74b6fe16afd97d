/**
 * `npm run train:beats`, step 3: chooses the decoder's few constants (beat-network-tracker.ts DecoderSettings)
 * on the corpus's tune split (our own scores never trained on) plus the band recordings and the "as written"
 * MIDI of the train split, never on dev. Prints one JSON line per setting, best last; the chosen one is copied
 * into DECODER_SETTINGS by hand (with the numbers in the model card).
 */
import { CancellationToken } from '../../../companion/core/lifecycle';
import { decodeAudio } from '../../../companion/media/audio';
import { MUSIC_SAMPLE_RATE } from '../../../companion/analysis/music/analyse-music';
import { scoreReading } from '../../../companion/analysis/music/beat-evaluation';
import { BeatNetworkTracker, DECODER_SETTINGS, trackFromActivations, type Activations, type DecoderSettings } from '../../../companion/analysis/music/beat-network-tracker';
import { buildCorpus, corpusDir, type CorpusItem } from '../corpus/build-corpus';

const tracker = new BeatNetworkTracker(process.env['AM_BEAT_MODEL']);
const items: CorpusItem[] = [
  ...buildCorpus(corpusDir, { splits: ['tune'] }),
  ...buildCorpus(corpusDir, { splits: ['train'] }).filter((item) => item.genre === 'band' || (item.variant === 'gm' && item.source !== 'synthetic')),
];
const cached: Array<{ item: CorpusItem; activations: Activations; seconds: number }> = [];
for (const item of items) {
  const decoded = await decodeAudio(item.audio, { sampleRate: MUSIC_SAMPLE_RATE });
  cached.push({ item, activations: await tracker.activations(decoded.samples, decoded.sampleRate, CancellationToken.None), seconds: decoded.samples.length / decoded.sampleRate });
}

function evaluate(settings: DecoderSettings) {
  const sums = { beatF: 0, downbeatF: 0, barLengthOk: 0 };
  for (const { item, activations, seconds } of cached) {
    const scores = scoreReading(item.beats.map((b) => b.time), item.beats.filter((b) => b.beatInBar === 1).map((b) => b.time), trackFromActivations(activations, seconds, {}, settings).beats);
    for (const key of Object.keys(sums) as Array<keyof typeof sums>) sums[key] += scores[key];
  }
  const mean = (key: keyof typeof sums) => +(sums[key] / cached.length).toFixed(3);
  return { beatF: mean('beatF'), downbeatF: mean('downbeatF'), barLengthOk: mean('barLengthOk') };
}

const results = [];
for (const barPriorWeight of [0, 0.25, 0.5, 1]) {
  for (const relativeDownbeats of [true, false]) {
    for (const transitionLambda of [30, 100]) {
      const settings = { ...DECODER_SETTINGS, barPriorWeight, relativeDownbeats, transitionLambda };
      const figures = evaluate(settings);
      results.push({ settings, figures });
      console.log(JSON.stringify({ bench: 'beats.tune', items: cached.length, barPriorWeight, relativeDownbeats, transitionLambda, ...figures }));
    }
  }
}
results.sort((a, b) => a.figures.downbeatF + a.figures.beatF + a.figures.barLengthOk - (b.figures.downbeatF + b.figures.beatF + b.figures.barLengthOk));
console.log(JSON.stringify({ bench: 'beats.tune.best', ...results.at(-1) }));
