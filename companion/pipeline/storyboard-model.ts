/**
 * Builds the Storyboard.1 model (companion/protocol/storyboard.ts) of a solved montage: the placements with
 * thumbnails and strips from the pool's samples (no second decode), emotion and score parts from plan.json's
 * readings, the next alternatives per slot (planner/alternatives.ts), the music's waveform, the shots left out
 * with their reasons, and the run's settings and diagnostics. report.html and the web UI draw it.
 */
import { basename } from 'node:path';
import type { Diagnostic } from '../core/errors';
import type { CancellationToken } from '../core/lifecycle';
import type { MovieAnalysis } from '../core/pipeline';
import { toFps, toSeconds } from '../core/rational';
import type { PoolSample, PoolVerdict } from '../core/shot-pool';
import { decodeAudio } from '../media/audio';
import { fingerprint, readCache, settingsHash, writeCache } from '../analysis/cache';
import { slotAlternatives, slotFit, type AlternativesInput } from '../planner/alternatives';
import type { StoryboardExclusion, StoryboardModel, StoryboardSlot } from '../protocol/storyboard';
import type { PlanJson } from './plan-json';
import { steeringText, type SteeringOptions } from './steer-emotions';

/** Waveform slices (the timeline is about 900 px wide). */
const WAVEFORM_SLICES = 600;
const STRIP_FRAMES = 5;

/** Where a shot of the combined numbering lives: its file's movie and its index there. */
function locate(movies: readonly MovieAnalysis[], original: number): { movie: MovieAnalysis; shot: number } | undefined {
  let offset = 0;
  for (const movie of movies) {
    if (original < offset + movie.shots.length) return { movie, shot: original - offset };
    offset += movie.shots.length;
  }
  return undefined;
}

function dataUri(sample: PoolSample | undefined): string | undefined {
  return sample?.jpeg ? `data:image/jpeg;base64,${sample.jpeg}` : undefined;
}

function middle<T>(list: readonly T[]): T | undefined {
  return list[Math.floor((list.length - 1) / 2)];
}

/** Peak level per slice of the music between `startSeconds` and `endSeconds` (empty when it cannot be decoded). */
export async function musicWaveform(path: string, startSeconds: number, endSeconds: number, token?: CancellationToken, slices = WAVEFORM_SLICES): Promise<number[]> {
  try {
    const audio = await decodeAudio(path, { sampleRate: 8000, startSeconds, durationSeconds: Math.max(0.1, endSeconds - startSeconds), ...(token ? { token } : {}) });
    const peaks = new Array<number>(slices).fill(0);
    const per = audio.samples.length / slices;
    for (let i = 0; i < audio.samples.length; i++) {
      const slice = Math.min(slices - 1, Math.floor(i / per));
      const value = Math.abs(audio.samples[i]!);
      if (value > peaks[slice]!) peaks[slice] = value;
    }
    const loudest = Math.max(1e-6, ...peaks);
    return peaks.map((p) => Math.round((p / loudest) * 1000) / 1000);
  } catch {
    return [];
  }
}

/**
 * {@link musicWaveform} through the analysis cache, keyed by the music's fingerprint and the range: a re-plan to
 * the same music decodes nothing (8 minutes of music took a second or more to decode again). Without a cache
 * folder, or when the music cannot be fingerprinted, it decodes as musicWaveform does.
 */
export async function cachedMusicWaveform(path: string, startSeconds: number, endSeconds: number, cacheDir: string | undefined, token?: CancellationToken): Promise<number[]> {
  const print = cacheDir ? await fingerprint(path).catch(() => undefined) : undefined;
  if (!cacheDir || !print) return musicWaveform(path, startSeconds, endSeconds, token);
  const key = `waveform-v1-${print}-${settingsHash({ startSeconds, endSeconds, slices: WAVEFORM_SLICES })}`;
  const found = await readCache(cacheDir, key, (value): value is number[] => Array.isArray(value) && value.length === WAVEFORM_SLICES && value.every((x) => typeof x === 'number'));
  if (found.status === 'hit') return found.value;
  const waveform = await musicWaveform(path, startSeconds, endSeconds, token);
  // An empty waveform (music that did not decode, a cancelled job) is not kept; a cache that cannot be written costs only time.
  if (waveform.length) await writeCache(cacheDir, key, waveform).catch(() => undefined);
  return waveform;
}

export interface StoryboardInput {
  readonly planJson: PlanJson;
  readonly input: AlternativesInput;
  readonly originalShots: readonly number[];
  readonly barOfUnit: readonly (readonly number[])[];
  readonly movies: readonly MovieAnalysis[];
  readonly verdict: PoolVerdict | undefined;
  readonly waveform: readonly number[];
  readonly settings: readonly { readonly label: string; readonly value: string }[];
  readonly title: string;
  /** Notices beyond the plan's own (the analysis', the encoders'). */
  readonly notices?: readonly Diagnostic[];
}

export function buildStoryboard({ planJson: plan, input, originalShots, barOfUnit, movies, verdict, waveform, settings, title, notices = [] }: StoryboardInput): StoryboardModel {
  const rate = plan.movie.rate;
  const fps = toFps(rate);
  const unitStart = plan.bars[0]?.startSeconds ?? plan.music.startSeconds;
  const samplesOf = (planShot: number) => {
    const where = locate(movies, originalShots[planShot] ?? planShot);
    return where?.movie.pool?.samples[where.shot] ?? [];
  };
  const sourceName = (planShot: number) => {
    const where = locate(movies, originalShots[planShot] ?? planShot);
    return where ? basename(where.movie.media.path) : basename(plan.movie.path);
  };
  const alternatives = slotAlternatives(input, plan, barOfUnit);
  const slots: StoryboardSlot[] = plan.placements.map((placement, index) => {
    const shot = plan.shots[placement.shotIndex];
    const samples = samplesOf(placement.shotIndex);
    const from = placement.sourceRange.start.value;
    const to = from + placement.sourceRange.duration.value;
    const inside = samples.filter((s) => s.frame >= from && s.frame < to);
    const strip = (inside.length ? inside : samples).slice(0, STRIP_FRAMES).map(dataUri).filter((u): u is string => !!u);
    const bars = [...new Set(Array.from({ length: placement.barCount }, (_, j) => barOfUnit[placement.firstBar + j] ?? [placement.firstBar + j]).flat())];
    const emotion = shot?.emotion;
    const musicUnder = plan.bars.slice(placement.firstBar, placement.firstBar + placement.barCount).map((b) => b.emotion).filter((e) => !!e);
    const fit = slotFit(input, placement.shotIndex, bars);
    return {
      index,
      shot: placement.shotIndex,
      scene: placement.sceneIndex,
      firstBar: placement.firstBar,
      barCount: placement.barCount,
      startSeconds: toSeconds(placement.recordRange.start),
      durationSeconds: toSeconds(placement.recordRange.duration),
      sourceStartSeconds: toSeconds(placement.sourceRange.start),
      sourceName: sourceName(placement.shotIndex),
      ...(emotion ? { label: emotion.label, valence: emotion.valence, arousal: emotion.arousal } : {}),
      fit,
      parts: [
        { label: 'objective', value: placement.score },
        { label: 'M(shot, bars under it)', value: fit },
        { label: 'M(shot, whole music)', value: input.shotScores[placement.shotIndex] ?? 0 },
        ...(emotion && musicUnder.length ? [{ label: 'valence gap', value: Math.abs(emotion.valence - mean(musicUnder.map((m) => m.valence))) }, { label: 'arousal gap', value: Math.abs(emotion.arousal - mean(musicUnder.map((m) => m.arousal))) }] : []),
      ],
      ...(dataUri(middle(inside.length ? inside : samples)) ? { thumbnail: dataUri(middle(inside.length ? inside : samples))! } : {}),
      strip,
      alternatives: (alternatives[index] ?? []).map((a) => {
        const thumbnail = dataUri(middle(samplesOf(a.shot)));
        const label = plan.shots[a.shot]?.emotion?.label;
        return { shot: a.shot, score: a.score, sourceStartSeconds: a.sourceStart / fps, ...(label ? { label } : {}), ...(thumbnail ? { thumbnail } : {}) };
      }),
    };
  });
  const planIndex = new Map(originalShots.map((original, i) => [original, i]));
  const excluded: StoryboardExclusion[] = [
    ...(verdict?.excluded ?? []).map((e) => ({ shot: e.shot, reason: e.reason, detail: e.detail, trimmed: false, ...(e.duplicateOf !== undefined ? { duplicateOf: e.duplicateOf } : {}) })),
    ...(verdict?.trimmed ?? []).map((t) => ({ shot: t.shot, reason: t.reason, detail: t.detail, trimmed: true })),
  ].map((e) => {
    const where = locate(movies, e.shot);
    const samples = where?.movie.pool?.samples[where.shot] ?? [];
    const shot = where?.movie.shots[where.shot];
    const thumbnail = dataUri(middle(samples));
    const planShot = planIndex.get(e.shot);
    return { ...e, ...(planShot !== undefined ? { planShot } : {}), sourceStartSeconds: shot ? toSeconds(shot.range.start) : 0, ...(thumbnail ? { thumbnail } : {}) };
  });
  const durationSeconds = plan.placements.reduce((end, p) => Math.max(end, toSeconds(p.recordRange.start) + toSeconds(p.recordRange.duration)), 0);
  return {
    schema: 'Storyboard.1',
    title,
    durationSeconds,
    music: { name: basename(plan.music.path), startSeconds: unitStart, tempoBpm: plan.music.tempoBpm, beatsPerBar: plan.music.beatsPerBar, mood: plan.music.mood, waveform },
    bars: plan.bars.map((bar, k) => ({
      index: k,
      startSeconds: bar.startSeconds - unitStart,
      durationSeconds: bar.durationSeconds,
      ...(bar.emotion ? { label: bar.emotion.label, valence: bar.emotion.valence, arousal: bar.emotion.arousal } : {}),
    })),
    slots,
    excluded,
    settings,
    diagnostics: [...new Set([...plan.diagnostics, ...notices].map((d) => `${d.code}: ${d.message}`))],
  };
}

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

/** The settings a run was made with, for the report (what the editor asked and what the planner used). */
export function runSettings(
  request: { readonly moviePath: string; readonly musicPath: string; readonly musicRange?: { startSeconds: number; endSeconds: number }; readonly options?: object },
  plan: Pick<PlanJson, 'options' | 'granularity' | 'relaxations'> & { readonly sources?: readonly { readonly path: string }[] },
): { label: string; value: string }[] {
  const asked = (request.options ?? {}) as Readonly<Record<string, unknown>>;
  const list = (value: unknown) => (Array.isArray(value) && value.length ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ') : 'none');
  const rows: { label: string; value: string }[] = [
    { label: 'movie', value: plan.sources?.length ? plan.sources.map((s) => basename(s.path)).join(', ') : basename(request.moviePath) },
    { label: 'music', value: `${basename(request.musicPath)}${request.musicRange ? ` (${request.musicRange.startSeconds}–${request.musicRange.endSeconds} s)` : ''}` },
    { label: 'scenes', value: `${plan.options.maxScenes} (${plan.options.mode})` },
    { label: 'cut unit', value: `${plan.granularity.unit} (asked ${plan.granularity.requested}): ${plan.granularity.reason}` },
    { label: 'trim / arc', value: `${plan.options.trim ? 'trim' : 'no trim'} / ${plan.options.arc ? 'arc matching' : 'whole-track scores'}` },
    { label: 'mood', value: String(asked['mood'] ?? 'auto') },
    { label: 'steered by', value: steeringText(asked as SteeringOptions) },
    { label: 'pins', value: list(asked['pins']) },
    { label: 'bans (yours)', value: list(asked['bans']) },
    { label: 'shot pool', value: [asked['keepTextShots'] ? 'text shots kept' : '', asked['keepDuplicates'] ? 'duplicates kept' : '', asked['keepBlankShots'] ? 'blank shots kept' : ''].filter(Boolean).join(', ') || 'clean (title cards, blank, frozen and duplicate shots left out)' },
    { label: 'relaxations', value: plan.relaxations.length ? plan.relaxations.map((r) => r.message).join('; ') : 'none' },
  ];
  return rows;
}
