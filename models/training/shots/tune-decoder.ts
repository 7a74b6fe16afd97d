/**
 * `npm run train:shots`, step 3: chooses the decoder constants of the transition model on the action dev
 * set's *tune* part (from the descriptors prepare-data.ts saved, no decode), then prints, for the classical
 * detector, the network alone and the hybrid, the hard-cut and gradual F1 of every set: tune, dev, the shared
 * synthetic splices and the three annotated real clips. Only tune picks anything; the rest is reported.
 * Usage: node --import tsx models/training/shots/tune-decoder.ts [model.onnx]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { poolScores, scoreTransitions, type Score } from '../../../companion/analysis/movie/shot-evaluation';
import { detectTransitions, type Transition } from '../../../companion/analysis/movie/shot-detector';
import { decodeTransitions, defaultShotModelPath, LEARNED_DECODERS, transitionActivations, type LearnedDecoderSettings } from '../../../companion/analysis/movie/transition-model';
import type { FrameDescriptors } from '../../../companion/analysis/movie/frame-descriptors';
import type { Rate } from '../../../companion/core/rational';
import { loadDescriptors } from './descriptor-file';
import { dataDir } from './prepare-data';

interface Item {
  readonly name: string;
  readonly set: string;
  readonly frames: number;
  readonly rate: Rate;
  readonly truth: { cuts: number[]; gradual: { start: number; end: number }[] };
  readonly descriptors: FrameDescriptors;
  readonly classical: readonly Transition[];
  readonly activations: Float32Array;
}

async function items(modelPath: string): Promise<Item[]> {
  const list: Item[] = [];
  for (const file of readdirSync(dataDir).filter((f) => f.endsWith('.json')).sort()) {
    const meta = JSON.parse(readFileSync(join(dataDir, file), 'utf8')) as { name: string; set: string; frames: number; fps: Rate; truth: Item['truth'] };
    if (meta.set === 'train') continue;
    const { descriptors, frames } = loadDescriptors(join(dataDir, `${meta.name}.descriptors.bin`));
    list.push({
      name: meta.name,
      set: meta.set,
      frames,
      rate: meta.fps,
      truth: meta.truth,
      descriptors,
      classical: detectTransitions(descriptors, frames, meta.fps),
      activations: await transitionActivations(descriptors, frames, modelPath),
    });
  }
  return list;
}

function scoreSet(list: readonly Item[], detect: (item: Item) => readonly Transition[]): { hard: Score; gradual: Score } {
  const scores = list.map((item) => scoreTransitions(detect(item), item.truth));
  return { hard: poolScores(scores.map((s) => s.hard)), gradual: poolScores(scores.map((s) => s.gradual)) };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const modelPath = process.argv[2] ?? defaultShotModelPath();
  const all = await items(modelPath);
  const sets = ['tune', 'dev', 'shared', 'real'].filter((set) => all.some((item) => item.set === set));
  const bySet = (set: string) => all.filter((item) => item.set === set);
  const tune = bySet('tune');
  const decode = (settings: LearnedDecoderSettings) => (item: Item) => decodeTransitions(item.descriptors, item.activations, item.frames, item.rate, settings, settings.mode === 'hybrid' ? item.classical : undefined);
  /** Tune hard + gradual F1, and how many transitions differ from the classical detector's (fewer wins a tie). */
  const judge = (settings: LearnedDecoderSettings) => {
    const found = new Map(tune.map((item) => [item, decode(settings)(item)]));
    const { hard, gradual } = scoreSet(tune, (item) => found.get(item)!);
    let edits = 0;
    for (const item of tune) {
      const mine = found.get(item)!.map((t) => `${t.kind} ${t.start} ${t.end}`);
      const theirs = item.classical.map((t) => `${t.kind} ${t.start} ${t.end}`);
      edits += mine.filter((t) => !theirs.includes(t)).length + theirs.filter((t) => !mine.includes(t)).length;
    }
    return { value: hard.f1 + gradual.f1, edits };
  };
  // Grids run from the most conservative value to the boldest; on tune only. Hybrid: the gradual constants
  // first (cuts left to the classical detector), then the cut constants with those fixed.
  const best: Record<string, { settings: LearnedDecoderSettings; value: number; edits: number }> = {};
  const consider = (mode: string, settings: LearnedDecoderSettings) => {
    const { value, edits } = judge(settings);
    const current = best[mode];
    if (!current || value > current.value + 1e-9 || (value > current.value - 1e-9 && edits < current.edits)) best[mode] = { settings, value, edits };
  };
  const gradualGrid = { gradualThreshold: [0.7, 0.5, 0.3], minGradualFrames: [6, 4, 3] };
  for (const cutThreshold of [0.9, 0.8, 0.7, 0.6, 0.5]) {
    for (const gradualThreshold of gradualGrid.gradualThreshold) {
      for (const minGradualFrames of gradualGrid.minGradualFrames) consider('model', { ...LEARNED_DECODERS.model, cutThreshold, gradualThreshold, minGradualFrames });
    }
  }
  const classicalCuts = { vetoThreshold: 0, addCutThreshold: 2 };
  for (const gradualThreshold of gradualGrid.gradualThreshold) {
    for (const minGradualFrames of gradualGrid.minGradualFrames) {
      for (const dropClassicalGradual of [0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5]) consider('hybrid', { ...LEARNED_DECODERS.hybrid, ...classicalCuts, gradualThreshold, minGradualFrames, dropClassicalGradual });
    }
  }
  const gradualChosen = best['hybrid']!.settings;
  for (const vetoThreshold of [0, 0.01, 0.02, 0.05, 0.1, 0.2]) {
    for (const returnSeconds of [0.25, 0.5, 0.75]) {
      for (const returnRatio of [0.3, 0.4, 0.5]) {
        for (const addCutThreshold of [2, 0.99, 0.95, 0.9, 0.8]) {
          for (const addCutEvidence of addCutThreshold > 1 ? [0] : [0.3, 0.2, 0.1, 0.05, 0]) {
            consider('hybrid', { ...gradualChosen, vetoThreshold, returnSeconds, returnRatio, addCutThreshold, addCutEvidence });
          }
        }
      }
    }
  }
  console.log(JSON.stringify({ chosenOnTune: best, current: LEARNED_DECODERS }));
  const detectors: Record<string, (item: Item) => readonly Transition[]> = {
    classical: (item) => item.classical,
    model: decode(best['model']!.settings),
    hybrid: decode(best['hybrid']!.settings),
    // The chosen hybrid without dropping classical gradual spans.
    keepAllClassical: decode({ ...best['hybrid']!.settings, dropClassicalGradual: 0 }),
    currentModel: decode(LEARNED_DECODERS.model),
    currentHybrid: decode(LEARNED_DECODERS.hybrid),
  };
  for (const set of sets) {
    const row: Record<string, unknown> = { set, movies: bySet(set).length };
    for (const [name, detect] of Object.entries(detectors)) {
      const { hard, gradual } = scoreSet(bySet(set), detect);
      row[name] = { hard: round(hard.f1), gradual: round(gradual.f1), hardFP: hard.falsePositives, hardFN: hard.falseNegatives, gradualFP: gradual.falsePositives, gradualFN: gradual.falseNegatives };
    }
    console.log(JSON.stringify(row));
  }
}

await main();
