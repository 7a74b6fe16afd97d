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
  // Grid over the decoder constants, per mode, on tune only: the best hard + gradual F1.
  const best: Record<string, { settings: LearnedDecoderSettings; value: number }> = {};
  for (const mode of ['model', 'hybrid'] as const) {
    for (const cutThreshold of [0.5, 0.6, 0.7, 0.8, 0.9]) {
      for (const vetoThreshold of mode === 'hybrid' ? [0, 0.02, 0.05, 0.1, 0.2, 0.3] : [0]) {
        for (const gradualThreshold of [0.3, 0.4, 0.5, 0.6, 0.7]) {
          for (const minGradualFrames of [3, 4, 6]) {
            for (const keepClassicalGradual of mode === 'hybrid' ? [0, 0.1, 0.2, 0.35, 1.01] : [1.01]) {
              const settings: LearnedDecoderSettings = { mode, cutThreshold, vetoThreshold, gradualThreshold, minGradualFrames, keepClassicalGradual };
              const { hard, gradual } = scoreSet(tune, (item) => decodeTransitions(item.descriptors, item.activations, item.frames, item.rate, settings, item.classical));
              const value = hard.f1 + gradual.f1;
              if (!best[mode] || value > best[mode].value + 1e-9) best[mode] = { settings, value };
            }
          }
        }
      }
    }
  }
  console.log(JSON.stringify({ chosenOnTune: best, current: LEARNED_DECODERS }));
  const detectors: Record<string, (item: Item) => readonly Transition[]> = {
    classical: (item) => item.classical,
    model: (item) => decodeTransitions(item.descriptors, item.activations, item.frames, item.rate, best['model']!.settings),
    hybrid: (item) => decodeTransitions(item.descriptors, item.activations, item.frames, item.rate, best['hybrid']!.settings, item.classical),
    currentModel: (item) => decodeTransitions(item.descriptors, item.activations, item.frames, item.rate, LEARNED_DECODERS.model),
    currentHybrid: (item) => decodeTransitions(item.descriptors, item.activations, item.frames, item.rate, LEARNED_DECODERS.hybrid, item.classical),
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
