/**
 * Emotion benchmark: `npm run bench -- emotion [--no-yamnet] [--score-level]`.
 * - emotion.music: 6-way accuracy and confusion matrix of the music mood on the 10 labelled tracks in
 *   ../shared/media/music (labels: the curator's judgement in its SOURCES.md), with bar features from the
 *   music analysis (analyseMusic) and YAMNet from ../shared/models/yamnet when present. One line per
 *   encoder set (features, yamnet, fused) and one per ablated cue (emotion.music.ablation).
 * - emotion.overhead: emotion encoding of each film clip against its movie analysis, as CPU time (this
 *   process + ffmpeg children, for both). `ratio` and `msPerShot` count the encoders' decoding too (keyframes
 *   from companion/media/keyframes.ts, the movie's audio); `computeRatio` / `computeMsPerShot` leave it
 *   out (the issue's "decoding excluded" figure). `emotion.keyframes` compares the keyframe decoding alone
 *   with the former way (one accurate-seek ffmpeg per shot, extractFrames), on the same shots.
 * - `--long [minutes]`: the same on a long 720p movie made at bench time from the three clips (scaled,
 *   looped, x264 superfast with its scene-cut key frames) in the gitignored .bench/ folder, plus
 *   emotion.cache: scoring with a cache folder, first run and a second run with other music.
 * - `--overhead-only`: skip the music accuracy and contrast cases.
 * - emotion.contrast: the same film montaged (planner, solvePlan) with music of each mood: does the mean
 *   emotion of the chosen shots move toward the music's class? Per class and counted; with
 *   `--score-level`, the top quarter of shots by M instead of the planner.
 * Timings taken while other work runs on the machine are pessimistic.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CancellationToken, Progress } from '../companion/core/lifecycle';
import { EMOTION_LABELS, type EmotionLabel, type EmotionVector } from '../companion/core/montage';
import type { MovieAnalysis, MusicAnalysis, MusicEmotion, ShotEmotionEncoder } from '../companion/core/pipeline';
import { analyseMovie } from '../companion/analysis/movie/analyse-movie';
import { analyseMusic } from '../companion/analysis/music/analyse-music';
import { configureEmotion, emotionSettings } from '../companion/analysis/emotion/config';
import { dominantLabel, fuseVectors } from '../companion/analysis/emotion/emotion-space';
import { FaceEncoder, faceSpans, loadFaceModels } from '../companion/analysis/emotion/faces';
import { FrameAffectEncoder } from '../companion/analysis/emotion/frame-affect';
import { scoreEmotions, type EmotionScores } from '../companion/analysis/emotion/index';
import { encodeMusicFeatures, type MusicCues } from '../companion/analysis/emotion/music-features';
import { YamnetMusicEncoder } from '../companion/analysis/emotion/music-yamnet';
import { SoundtrackEncoder } from '../companion/analysis/emotion/soundtrack';
import { encoderTimings } from '../companion/analysis/emotion/timings';
import { extractShotKeyframes } from '../companion/media/keyframes';
import { extractFrames } from '../companion/media/frames';
import { probeMedia } from '../companion/media/probe';
import { ffmpegPath } from '../companion/media/binaries';
import { run as runProcess } from '../companion/media/process';

const shared = fileURLToPath(new URL('../../shared/', import.meta.url));
const yamnetPath = `${shared}models/yamnet/yamnet_waveform.onnx`;

const TRACKS: readonly [string, EmotionLabel][] = [
  ['hyperrogue_hr3-motion.ogg', 'excited'],
  ['frozen-bubble_frozen-mainzik-1p.ogg', 'excited'],
  ['wesnoth_battle-epic.ogg', 'tense'],
  ['flare_boss_theme.ogg', 'tense'],
  ['wesnoth_the_king_is_dead.ogg', 'sad'],
  ['singularity_chimes_they_fade.ogg', 'sad'],
  ['wesnoth_elvish-theme.ogg', 'relaxed'],
  ['wesnoth_underground.ogg', 'fearful'],
  ['hyperrogue_hr3-rlyeh.ogg', 'fearful'],
  ['singularity_coherence.ogg', 'neutral'],
];
/**
 * Mood dev set: tracks the mood model was never tuned on (its references and weights were set on the shared
 * ten above), from Debian's wesnoth-1.16-music (GPL-2+) and singularity-music (CC-BY-SA-3.0). Labels are our
 * judgement from the title and the game situation the track was written for (victory, defeat, menu, battle,
 * "suspense"…), three per class, no listening test: weak labels, like the shared ones. Reserved tracks
 * (traveling_minstrels, weight_of_revenge, love_theme) are not used.
 */
const WESNOTH = '/usr/share/games/wesnoth/1.16/data/core/music/';
const SINGULARITY = '/usr/share/games/singularity/music/';
const MOOD_DEV: readonly [string, EmotionLabel][] = [
  [`${WESNOTH}frantic.ogg`, 'excited'],
  [`${WESNOTH}victory.ogg`, 'excited'],
  [`${SINGULARITY}win/Apex Aleph.ogg`, 'excited'],
  [`${WESNOTH}battle.ogg`, 'tense'],
  [`${WESNOTH}siege_of_laurelmor.ogg`, 'tense'],
  [`${SINGULARITY}Enemy Unknown.ogg`, 'tense'],
  [`${WESNOTH}sad.ogg`, 'sad'],
  [`${WESNOTH}defeat.ogg`, 'sad'],
  [`${SINGULARITY}lose/March Thee to Dis.ogg`, 'sad'],
  [`${WESNOTH}silvan_sanctuary.ogg`, 'relaxed'],
  [`${WESNOTH}elf-land.ogg`, 'relaxed'],
  [`${WESNOTH}wanderer.ogg`, 'relaxed'],
  [`${WESNOTH}into_the_shadows.ogg`, 'fearful'],
  [`${WESNOTH}suspense.ogg`, 'fearful'],
  [`${SINGULARITY}Aberrations.ogg`, 'fearful'],
  [`${SINGULARITY}Through Space.ogg`, 'neutral'],
  [`${SINGULARITY}Nebula.ogg`, 'neutral'],
  [`${SINGULARITY}Orbital Elevator.ogg`, 'neutral'],
];
const FILMS = ['sintel_trailer', 'big_buck_bunny_first60s', 'nosferatu_1922_excerpt'] as const;

const round = (value: number, digits = 3) => Number(value.toFixed(digits));
const print = (row: Record<string, unknown>) => console.log(JSON.stringify(row));

/** CPU milliseconds of finished children (ffmpeg), from /proc/self/stat; 0 where unavailable. */
function childCpuMs(): number {
  if (!existsSync('/proc/self/stat')) return 0;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ');
  const value = (Number(fields?.[13]) + Number(fields?.[14])) * 10;
  return Number.isFinite(value) ? value : 0;
}

function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function confusion(truth: readonly EmotionLabel[], predicted: readonly EmotionLabel[]) {
  const matrix = EMOTION_LABELS.map(() => EMOTION_LABELS.map(() => 0));
  truth.forEach((t, i) => {
    const row = matrix[EMOTION_LABELS.indexOf(t)];
    const col = EMOTION_LABELS.indexOf(predicted[i] ?? 'neutral');
    if (row) row[col] = (row[col] ?? 0) + 1;
  });
  const correct = truth.filter((t, i) => t === predicted[i]).length;
  return { accuracy: round(correct / truth.length), correct, total: truth.length, labels: EMOTION_LABELS, confusion: matrix };
}

async function benchMusic(useYamnet: boolean, set: 'shared' | 'dev' = 'shared'): Promise<Map<string, { analysis: MusicAnalysis; emotion: MusicEmotion }>> {
  const analyses: { file: string; label: EmotionLabel; analysis: MusicAnalysis; yamnet?: MusicEmotion }[] = [];
  const yamnet = new YamnetMusicEncoder('music-yamnet', yamnetPath);
  const tracks = set === 'shared' ? TRACKS.map(([file, label]) => [`${shared}media/music/${file}`, label] as const) : MOOD_DEV.filter(([path]) => existsSync(path));
  if (set === 'dev' && tracks.length < MOOD_DEV.length) console.error('mood dev set incomplete: apt-get install wesnoth-1.16-music singularity-music');
  for (const [path, label] of tracks) {
    const file = set === 'shared' ? path.split('/').at(-1)! : path.split('/').slice(-2).join('/');
    const analysis = await analyseMusic(path, {}, Progress.None, CancellationToken.None);
    const entry: (typeof analyses)[number] = { file, label, analysis };
    if (useYamnet) entry.yamnet = await yamnet.encodeMusic(analysis, CancellationToken.None);
    analyses.push(entry);
  }
  const truth = analyses.map((a) => a.label);
  const weights = { 'music-features': 1, 'music-yamnet': 0.8 };
  const fused = new Map<string, { analysis: MusicAnalysis; emotion: MusicEmotion }>();
  const predictions: Record<string, EmotionLabel[]> = { features: [], yamnet: [], fused: [] };
  for (const a of analyses) {
    const features = encodeMusicFeatures(a.analysis);
    const parts = a.yamnet ? [features, a.yamnet] : [features];
    const emotion: MusicEmotion = {
      global: fuseVectors('fusion', parts.map((p) => p.global), weights),
      bars: a.analysis.bars.map((_, k) => fuseVectors('fusion', parts.map((p) => p.bars[k] as EmotionVector), weights)),
    };
    fused.set(a.file, { analysis: a.analysis, emotion });
    predictions['features']!.push(dominantLabel(features.global));
    if (a.yamnet) predictions['yamnet']!.push(dominantLabel(a.yamnet.global));
    predictions['fused']!.push(dominantLabel(emotion.global));
  }
  const featureSource = 'analyseMusic (companion/analysis/music) bar features';
  const bench = set === 'shared' ? 'emotion.music' : 'emotion.music.dev';
  print({ bench, tempoBpm: Object.fromEntries(analyses.map((a) => [a.file, round(a.analysis.tempoBpm, 1)])) });
  print({ bench, encoders: useYamnet ? 'music-features + music-yamnet' : 'music-features', featureSource, ...confusion(truth, predictions['fused']!), predictions: Object.fromEntries(analyses.map((a, i) => [a.file, `${a.label} -> ${predictions['fused']![i]}`])) });
  print({ bench: `${bench}.features`, ...confusion(truth, predictions['features']!) });
  if (useYamnet) print({ bench: `${bench}.yamnet`, ...confusion(truth, predictions['yamnet']!) });
  // Arousal order: the mean arousal of the excited and tense tracks above that of the relaxed and sad ones.
  const arousal = (labels: EmotionLabel[]) => {
    const picked = analyses.filter((a) => labels.includes(a.label));
    return round(picked.reduce((sum, a) => sum + fused.get(a.file)!.emotion.global.arousal, 0) / Math.max(1, picked.length));
  };
  print({ bench: `${bench}.arousal`, high: arousal(['excited', 'tense']), low: arousal(['relaxed', 'sad']), orderRight: arousal(['excited', 'tense']) > arousal(['relaxed', 'sad']) });
  // Ablation: each feature cue switched off (fused with YAMNet when present).
  for (const cue of ['mode', 'tempo', 'loudness', 'brightness', 'onsets', 'dissonance'] as const) {
    const cues: MusicCues = { [cue]: false };
    const predicted = analyses.map((a) => {
      const features = encodeMusicFeatures(a.analysis, 'music-features', { cues });
      return dominantLabel(fuseVectors('fusion', a.yamnet ? [features.global, a.yamnet.global] : [features.global], weights));
    });
    const { accuracy, correct } = confusion(truth, predicted);
    print({ bench: `${bench}.ablation`, without: cue, accuracy, correct });
  }
  return fused;
}

/** Keyframe decoding alone, this extractor against one accurate seek per shot (the former way), CPU incl. ffmpeg. */
async function benchKeyframes(film: string, movie: MovieAnalysis): Promise<void> {
  const searched = movie.shots.map((_, i) => i).filter((i) => (movie.features[i]?.brightness ?? 1) >= emotionSettings().faces.minBrightness);
  const size = { maxWidth: emotionSettings().faces.frameWidth };
  const video = movie.media.video!;
  let cpu0 = ownCpuMs() + childCpuMs();
  let wall0 = performance.now();
  const report = await extractShotKeyframes(movie.media.path, faceSpans(movie, searched), { size, video, onKeyframe: () => {} });
  const cpu = ownCpuMs() + childCpuMs() - cpu0;
  const wall = performance.now() - wall0;
  cpu0 = ownCpuMs() + childCpuMs();
  wall0 = performance.now();
  const middles = searched.map((i) => movie.features[i]?.keyframe ?? 0);
  for (let start = 0; start < middles.length; start += 32) await extractFrames(movie.media.path, middles.slice(start, start + 32), size, undefined, { video });
  const legacyCpu = ownCpuMs() + childCpuMs() - cpu0;
  const legacyWall = performance.now() - wall0;
  print({ bench: 'emotion.keyframes', film, searchedShots: searched.length, cpuMs: round(cpu, 0), wallMs: round(wall, 0), legacyCpuMs: round(legacyCpu, 0), legacyWallMs: round(legacyWall, 0), legacyProcesses: middles.length, ...report });
}

async function benchOverhead(useYamnet: boolean, music: MusicAnalysis, films: readonly { film: string; path: string }[] = FILMS.map((film) => ({ film, path: `${shared}media/film/${film}.mp4` })), label = 'emotion.overhead'): Promise<Map<string, { movie: MovieAnalysis; scores: EmotionScores }>> {
  await loadFaceModels(); // model conversion/loading is a one-time cost, not per movie
  const out = new Map<string, { movie: MovieAnalysis; scores: EmotionScores }>();
  let totalShots = 0;
  let totalAnalysisCpu = 0;
  let totalEmotionCpu = 0;
  let totalComputeCpu = 0;
  let totalEmotionWall = 0;
  let totalDecode = 0;
  const analysed: { film: string; movie: MovieAnalysis; analysisCpu: number; analysisWall: number }[] = [];
  for (const { film, path } of films) {
    const cpu0 = ownCpuMs() + childCpuMs();
    const wall0 = performance.now();
    const movie = await analyseMovie(path, {}, Progress.None, CancellationToken.None);
    analysed.push({ film, movie, analysisWall: performance.now() - wall0, analysisCpu: ownCpuMs() + childCpuMs() - cpu0 });
  }
  const makeEncoders = (): ShotEmotionEncoder[] => [new FrameAffectEncoder(), new FaceEncoder(), new SoundtrackEncoder('soundtrack', useYamnet ? yamnetPath : `${shared}no-yamnet.onnx`)];
  // Warm-up (untimed): the first run of a model and of the JavaScript pixel code is slower; a long movie
  // amortises it, these short clips would not.
  if (analysed[0]) for (const encoder of makeEncoders()) await encoder.encodeShots(analysed[0].movie, CancellationToken.None);
  for (const { film, movie, analysisCpu, analysisWall } of analysed) {
    encoderTimings(true);
    // Each encoder alone, one after another, so CPU time is not shared between them.
    const encoders = makeEncoders();
    const byEncoder: Record<string, EmotionVector[]> = {};
    const cpuByEncoder: Record<string, number> = {};
    const wall1 = performance.now();
    for (const encoder of encoders) {
      const cpu1 = ownCpuMs() + childCpuMs();
      byEncoder[encoder.id] = await encoder.encodeShots(movie, CancellationToken.None);
      cpuByEncoder[encoder.id] = ownCpuMs() + childCpuMs() - cpu1;
    }
    const allWall = performance.now() - wall1;
    const timings = encoderTimings(true);
    const given = encoders.map((e) => ({ id: e.id, kind: 'shot' as const, encodeShots: async () => byEncoder[e.id] as EmotionVector[] }));
    const scores = await scoreEmotions(movie, music, { shot: given, music: [{ id: 'music-features', kind: 'music', encodeMusic: async (m) => encodeMusicFeatures(m) }] }, CancellationToken.None);
    const computeCpu = Object.values(timings).reduce((a, t) => a + t.computeCpuMs, 0);
    const emotionCpu = Object.values(cpuByEncoder).reduce((a, b) => a + b, 0);
    const emotionWall = Object.values(timings).reduce((a, t) => a + t.computeMs, 0);
    const decode = Object.values(timings).reduce((a, t) => a + t.decodeMs, 0);
    const shots = movie.shots.length;
    const faces = byEncoder['faces']?.filter((v) => v.confidence > 0).length ?? 0;
    // Ablation of the shot cues: how many fused shot labels change, and how far the vectors move, when
    // one encoder is left out (there are no shot labels to score accuracy against).
    const ablation: Record<string, { labelChanges: number; meanL1: number }> = {};
    for (const left of Object.keys(byEncoder)) {
      const without = await scoreEmotions(movie, music, { shot: given.filter((g) => g.id !== left), music: [{ id: 'music-features', kind: 'music', encodeMusic: async (m) => encodeMusicFeatures(m) }] }, CancellationToken.None).catch(() => undefined);
      if (!without) continue;
      let changes = 0;
      let l1 = 0;
      scores.shots.forEach((v, i) => {
        const w = without.shots[i];
        if (!w) return;
        if (dominantLabel(v) !== dominantLabel(w)) changes++;
        l1 += v.values.reduce((a, p, c) => a + Math.abs(p - (w.values[c] ?? 0)), 0);
      });
      ablation[left] = { labelChanges: changes, meanL1: round(l1 / Math.max(1, shots)) };
    }
    const labelCounts = Object.fromEntries(EMOTION_LABELS.map((l) => [l, scores.shots.filter((v) => dominantLabel(v) === l).length]));
    print({ bench: 'emotion.shots.ablation', film, shots, fusedLabels: labelCounts, withoutEncoder: ablation });
    print({
      bench: 'emotion.overhead.film',
      film,
      shots,
      shotsWithFaces: faces,
      movieAnalysisCpuMs: round(analysisCpu, 0),
      movieAnalysisWallMs: round(analysisWall, 0),
      emotionCpuMs: round(emotionCpu, 1),
      emotionWallMs: round(allWall, 0),
      ratio: round(emotionCpu / analysisCpu),
      msPerShot: round(emotionCpu / shots, 2),
      computeRatio: round(computeCpu / analysisCpu),
      computeMsPerShot: round(computeCpu / shots, 2),
      decodeWallMs: round(decode, 0),
      perEncoderCpuMsPerShot: Object.fromEntries(Object.entries(cpuByEncoder).map(([id, t]) => [id, round(t / shots, 2)])),
      perEncoderComputeCpuMsPerShot: Object.fromEntries(Object.entries(timings).map(([id, t]) => [id, round(t.computeCpuMs / shots, 2)])),
    });
    await benchKeyframes(film, movie);
    totalShots += shots;
    totalAnalysisCpu += analysisCpu;
    totalEmotionCpu += emotionCpu;
    totalComputeCpu += computeCpu;
    totalEmotionWall += emotionWall;
    totalDecode += decode;
    out.set(film, { movie, scores });
  }
  print({
    bench: label,
    shotEncoders: useYamnet ? 'frame-affect + faces + soundtrack (YAMNet)' : 'frame-affect + faces + soundtrack (energy only)',
    shots: totalShots,
    movieAnalysisCpuMs: round(totalAnalysisCpu, 0),
    ratio: round(totalEmotionCpu / totalAnalysisCpu),
    msPerShot: round(totalEmotionCpu / totalShots, 2),
    computeRatio: round(totalComputeCpu / totalAnalysisCpu),
    computeMsPerShot: round(totalComputeCpu / totalShots, 2),
    computeWallMsPerShot: round(totalEmotionWall / totalShots, 2),
    decodeWallMs: round(totalDecode, 0),
    counted: 'ratio and msPerShot: all CPU of the shot encoders, their ffmpeg children (keyframes, audio) included',
    targets: { ratio: 0.1, msPerShot: 5 },
  });
  return out;
}

/** The mean label distribution of shots, weighted. */
function meanValues(vectors: readonly EmotionVector[], weights?: readonly number[]): number[] {
  const total = vectors.reduce((a, _, i) => a + (weights?.[i] ?? 1), 0);
  return EMOTION_LABELS.map((_, c) => vectors.reduce((a, v, i) => a + (v.values[c] ?? 0) * (weights?.[i] ?? 1), 0) / Math.max(1e-9, total));
}

async function benchContrast(films: Map<string, { movie: MovieAnalysis; scores: EmotionScores }>, tracks: Map<string, { analysis: MusicAnalysis; emotion: MusicEmotion }>, usePlanner: boolean): Promise<void> {
  const { buildPlanInput } = await import('../companion/pipeline/run-montage');
  const { solvePlan } = await import('../companion/planner/index');
  for (const [film, { movie, scores }] of films) {
    const shotVectors = scores.shots;
    const baseline = meanValues(shotVectors);
    // Per track: the chosen shots' mean emotion (planner over the first ~12 s of bars, cut on beats).
    const chosenByTrack = new Map<string, number[]>();
    const failures: string[] = [];
    for (const [file, { analysis, emotion }] of tracks) {
      // The montage covers the first bars of the track (a sixth of the clip's length, at most 8 s).
      const first = analysis.bars[0];
      if (!first) continue;
      const endSeconds = first.startSeconds + Math.min(8, movie.media.durationSeconds / 6);
      const barCount = Math.max(1, analysis.bars.filter((b) => b.startSeconds + b.durationSeconds <= endSeconds + 1e-6).length);
      const part: MusicAnalysis = {
        ...analysis,
        bars: analysis.bars.slice(0, barCount),
        barFeatures: analysis.barFeatures.slice(0, barCount),
        beats: analysis.beats.filter((b) => b.timeSeconds < endSeconds),
      };
      const partEmotion: MusicEmotion = { global: emotion.global, bars: emotion.bars.slice(0, barCount) };
      const musicScores = await scoreEmotions(movie, part, { shot: [{ id: 'given', kind: 'shot', encodeShots: async () => [...shotVectors] }], music: [{ id: 'given-music', kind: 'music', encodeMusic: async () => partEmotion }] }, CancellationToken.None);
      let chosen: EmotionVector[] = [];
      let weights: number[] = [];
      if (usePlanner) {
        const last = part.bars[part.bars.length - 1] ?? first;
        const request = {
          moviePath: movie.media.path,
          musicPath: analysis.media.path,
          musicRange: { startSeconds: first.startSeconds, endSeconds: last.startSeconds + last.durationSeconds },
          options: { granularity: 'beat' as const, maxScenes: 5 },
        };
        try {
          const { input, originalShots } = buildPlanInput({ movie, music: part, emotions: musicScores }, request);
          const plan = solvePlan(input);
          chosen = plan.placements.map((p) => shotVectors[originalShots[p.shotIndex] ?? -1]).filter((v): v is EmotionVector => !!v);
          weights = plan.placements.map((p) => p.barCount);
        } catch (error) {
          failures.push(`${file}: ${(error as Error).message.slice(0, 80)}`);
        }
      }
      if (chosen.length === 0) {
        // Score level: the top quarter of shots by M(shot, music).
        const order = musicScores.shotScores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]);
        chosen = order.slice(0, Math.max(1, Math.ceil(order.length / 4))).map(([, i]) => shotVectors[i] as EmotionVector);
        weights = chosen.map(() => 1);
      }
      chosenByTrack.set(file, meanValues(chosen, weights));
    }
    const perClass: Record<string, unknown> = {};
    let moved = 0;
    let testable = 0;
    for (const label of EMOTION_LABELS) {
      const c = EMOTION_LABELS.indexOf(label);
      const own = TRACKS.filter(([, l]) => l === label).map(([f]) => chosenByTrack.get(f)?.[c]).filter((v): v is number => v !== undefined);
      const others = TRACKS.filter(([, l]) => l !== label).map(([f]) => chosenByTrack.get(f)?.[c]).filter((v): v is number => v !== undefined);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
      // The footage allows a class when some shot gives it at least 0.25.
      const allows = shotVectors.some((v) => (v.values[c] ?? 0) >= 0.25);
      const delta = mean(own) - mean(others);
      if (allows && own.length) {
        testable++;
        if (delta > 0) moved++;
      }
      perClass[label] = { footageAllows: allows, withItsMusic: round(mean(own)), withOtherMusic: round(mean(others)), delta: round(delta), footageMean: round(baseline[c] ?? 0) };
    }
    // The same count with each track grouped by the class its music vector reads (music errors set aside).
    const predictedOf = new Map([...tracks].map(([file, t]) => [file, dominantLabel(t.emotion.global)]));
    let movedPredicted = 0;
    let testablePredicted = 0;
    for (const label of EMOTION_LABELS) {
      const c = EMOTION_LABELS.indexOf(label);
      const own = [...chosenByTrack].filter(([f]) => predictedOf.get(f) === label).map(([, v]) => v[c] ?? 0);
      const others = [...chosenByTrack].filter(([f]) => predictedOf.get(f) !== label).map(([, v]) => v[c] ?? 0);
      if (!own.length || !others.length || !shotVectors.some((v) => (v.values[c] ?? 0) >= 0.25)) continue;
      testablePredicted++;
      if (own.reduce((a, b) => a + b, 0) / own.length > others.reduce((a, b) => a + b, 0) / others.length) movedPredicted++;
    }
    print({ bench: 'emotion.contrast', film, movedTowardPredictedClass: movedPredicted, testablePredictedClasses: testablePredicted, selection: usePlanner ? 'solvePlan (beat cuts, first 8 s of each track, 5 scenes)' : 'top quarter by M', shots: movie.shots.length, movedTowardClass: moved, testableClasses: testable, perClass, ...(failures.length ? { plannerFallbacks: failures } : {}) });
  }
}

/** A long 720p movie from the three clips, scaled and looped (x264 superfast keeps its scene-cut key frames). */
async function makeLongMovie(minutes: number): Promise<string> {
  const dir = fileURLToPath(new URL('../.bench/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}emotion-long-${minutes}min-720p.mp4`;
  if (existsSync(path)) return path;
  const inputs: string[] = [];
  for (const film of FILMS) inputs.push('-stream_loop', '-1', '-i', `${shared}media/film/${film}.mp4`);
  // Clips without sound (the silent film) get a quiet noise bed: input 3.
  inputs.push('-f', 'lavfi', '-i', 'anoisesrc=r=48000:a=0.01:c=pink');
  const hasAudio = await Promise.all(FILMS.map(async (film) => !!(await probeMedia(`${shared}media/film/${film}.mp4`)).audio));
  const seconds = minutes * 60;
  const part = Math.round(seconds / 6);
  // Six parts alternating the clips (each looped as needed), every part at 1280x720, 24 fps, with sound.
  const chains: string[] = [];
  const labels: string[] = [];
  for (let k = 0; k < 6; k++) {
    const input = k % 3;
    const offset = Math.floor(k / 3) * 7;
    chains.push(`[${input}:v]trim=start=${offset}:duration=${part},setpts=PTS-STARTPTS,fps=24,scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1[v${k}]`);
    chains.push(`[${hasAudio[input] ? input : 3}:a]atrim=start=${offset}:duration=${part},asetpts=PTS-STARTPTS,aresample=48000,aformat=channel_layouts=stereo[a${k}]`);
    labels.push(`[v${k}][a${k}]`);
  }
  const graph = `${chains.join(';')};${labels.join('')}concat=n=6:v=1:a=1[v][a]`;
  const temporary = `${path}.tmp.mp4`;
  await runProcess(ffmpegPath(), ['-hide_banner', '-nostdin', '-v', 'error', ...inputs, '-filter_complex', graph, '-map', '[v]', '-map', '[a]', '-c:v', 'libx264', '-preset', 'superfast', '-crf', '23', '-c:a', 'aac', '-b:a', '128k', '-y', temporary], { timeoutMs: 3600_000 });
  const { renameSync } = await import('node:fs');
  renameSync(temporary, path);
  return path;
}

/** Scoring with a cache folder: the first run fills it, a second run with other music reads it back. */
async function benchCache(path: string, tracks: readonly MusicAnalysis[]): Promise<void> {
  const cacheDir = fileURLToPath(new URL('../.bench/emotion-cache/', import.meta.url));
  rmSync(cacheDir, { recursive: true, force: true });
  const movie = await analyseMovie(path, {}, Progress.None, CancellationToken.None);
  const encoders = () => ({ shot: [new FrameAffectEncoder(), new FaceEncoder(), new SoundtrackEncoder()], music: [{ id: 'music-features', kind: 'music' as const, encodeMusic: async (m: MusicAnalysis) => encodeMusicFeatures(m) }] });
  const times: number[] = [];
  for (const music of tracks.slice(0, 2)) {
    const cpu0 = ownCpuMs() + childCpuMs();
    const wall0 = performance.now();
    await scoreEmotions(movie, music, encoders(), CancellationToken.None, { cacheDir });
    times.push(performance.now() - wall0, ownCpuMs() + childCpuMs() - cpu0);
  }
  print({ bench: 'emotion.cache', movie: path.split('/').pop(), shots: movie.shots.length, firstWallMs: round(times[0] ?? 0, 0), firstCpuMs: round(times[1] ?? 0, 0), secondWallMs: round(times[2] ?? 0, 0), secondCpuMs: round(times[3] ?? 0, 0) });
}

export async function run(args: string[]): Promise<void> {
  const useYamnet = !args.includes('--no-yamnet') && existsSync(yamnetPath);
  if (!useYamnet) configureEmotion({ yamnetPath: undefined });
  const longAt = args.indexOf('--long');
  if (args.includes('--overhead-only') || longAt >= 0) {
    const tracks: MusicAnalysis[] = [];
    for (const [file] of TRACKS.slice(0, 2)) tracks.push(await analyseMusic(`${shared}media/music/${file}`, {}, Progress.None, CancellationToken.None));
    if (longAt < 0) {
      await benchOverhead(useYamnet, tracks[0]!);
      return;
    }
    const minutes = Number(args[longAt + 1]) > 0 ? Number(args[longAt + 1]) : 10;
    const path = await makeLongMovie(minutes);
    await benchOverhead(useYamnet, tracks[0]!, [{ film: `long-${minutes}min-720p`, path }], 'emotion.overhead.long');
    await benchCache(path, tracks);
    return;
  }
  if (args.includes('--mood-only')) {
    await benchMusic(useYamnet, 'dev');
    await benchMusic(useYamnet, 'shared');
    return;
  }
  await benchMusic(useYamnet, 'dev');
  const tracks = await benchMusic(useYamnet);
  const someTrack = tracks.values().next().value?.analysis;
  if (!someTrack) return;
  const films = await benchOverhead(useYamnet, someTrack);
  await benchContrast(films, tracks, !args.includes('--score-level'));
  if (!args.includes('--score-level')) await benchContrast(films, tracks, false);
}
