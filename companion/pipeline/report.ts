/** The short human report written next to the montage (report.txt) and printed by the CLI. */
import type { MontageSolution } from '../planner/index';
import { unitName } from '../planner/index';
import { dominantLabel } from '../analysis/emotion/index';
import { toSeconds } from '../core/rational';
import { framesToTimecode } from '../core/timecode';
import type { MontageAnalysis } from './run-montage';

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `originalShots[i]` is the analysis index of plan shot i (they differ when a movie range was chosen). */
export function formatReport(solution: MontageSolution, analysis: MontageAnalysis, originalShots: readonly number[]): string {
  const { plan, granularity, relaxations } = solution;
  const { movie, music, emotions } = analysis;
  const rate = plan.movie.rate;
  const seconds = plan.music.endSeconds - plan.music.startSeconds;
  const scenesUsed = new Set(plan.placements.map((p) => p.sceneIndex)).size;
  const lines = [
    `Auto-Montage report`,
    ``,
    ...(plan.sources
      ? [
          `Sources ${plural(plan.sources.length, 'range')} of ${plural(new Set(plan.sources.map((s) => s.path)).size, 'file')}, ${plural(plan.shots.length, 'shot')} in ${plural(plan.scenes.length, 'scene')}, timeline at ${(rate.num / rate.den).toFixed(3)} fps`,
          ...plan.sources.map((s) => `  ${s.id.padEnd(10)} ${s.path} ${(s.inFrame / (s.rate.num / s.rate.den)).toFixed(2)}–${(s.outFrame / (s.rate.num / s.rate.den)).toFixed(2)} s at ${(s.rate.num / s.rate.den).toFixed(3)} fps`),
        ]
      : [`Movie   ${plan.movie.path}: ${plural(movie.shots.length, 'shot')} in ${plural(movie.scenes.length, 'scene')}, ${(plan.movie.frameCount / (rate.num / rate.den)).toFixed(1)} s`]),
    `Music   ${plan.music.path}: ${music.tempoBpm.toFixed(1)} BPM, ${music.beatsPerBar}/4, bar confidence ${music.confidence.toFixed(2)}, mood ${dominantLabel(emotions.music.global)}`,
    `Montage ${plan.bars.length} units from ${plan.music.startSeconds.toFixed(3)} s to ${plan.music.endSeconds.toFixed(3)} s (${seconds.toFixed(2)} s), ` +
      `${plural(plan.placements.length, 'shot')} from ${plural(scenesUsed, 'scene')} (${plan.options.mode} limit ${plan.options.maxScenes}), score ${plan.totalScore.toFixed(3)}`,
    `Cuts    on ${granularity.sections.map((s) => `${unitName(s.unit)} of ${s.unitSeconds.toFixed(2)} s${granularity.sections.length > 1 ? ` (${s.startSeconds.toFixed(1)}–${s.endSeconds.toFixed(1)} s)` : ''}`).join(', ')} ` +
      `(granularity ${granularity.requested}: ${granularity.reason})`,
    ...relaxations.map((r) => `Relaxed ${r.message}`),
    ``,
    `  #  record       shot  scene  source in    units   score  emotion${plan.sources ? '  source' : ''}`,
  ];
  plan.placements.forEach((p, i) => {
    const emotion = emotions.shots[originalShots[p.shotIndex] ?? -1];
    lines.push(
      `${String(i + 1).padStart(3)}  ${toSeconds(p.recordRange.start).toFixed(2).padStart(8)} s  ${String(p.shotIndex).padStart(4)}  ${String(p.sceneIndex).padStart(5)}  ` +
        `${framesToTimecode(p.sourceRange.start.value, p.sourceRange.start.rate)}  ${String(p.barCount).padStart(4)}  ${p.score.toFixed(3).padStart(6)}  ${(emotion ? dominantLabel(emotion) : '-').padEnd(7)}${p.source !== undefined && plan.sources ? `  ${plan.sources[p.source]!.id}` : ''}`.trimEnd(),
    );
  });
  // The relaxations are listed above; their diagnostics repeat them with the shortfall's numbers.
  const fileNotices = (analysis.files ?? [{ movie }]).flatMap((f) => f.movie.diagnostics ?? []);
  for (const d of [...(analysis.sourceNotices ?? []), ...fileNotices, ...plan.diagnostics, ...emotions.diagnostics]) if (d.where?.field !== 'options.relax') lines.push(`note: ${d.code}: ${d.message}`);
  return `${lines.join('\n')}\n`;
}
