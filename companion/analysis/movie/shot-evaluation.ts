/**
 * Scoring shot detection against a reference: hard cuts match within ±tolerance frames (one-to-one),
 * gradual transitions match when their spans overlap (one-to-one), as in the TRECVID shot boundary task.
 * Pure; used by bench/movie.ts and the tests.
 */

export interface Span {
  /** First and last frame of the transition, inclusive. */
  readonly start: number;
  readonly end: number;
}

export interface Score {
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export function score(truePositives: number, detected: number, reference: number): Score {
  const precision = detected === 0 ? (reference === 0 ? 1 : 0) : truePositives / detected;
  const recall = reference === 0 ? 1 : truePositives / reference;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives, falsePositives: detected - truePositives, falseNegatives: reference - truePositives, precision, recall, f1 };
}

/** Adds scores (pools the counts, then recomputes the ratios). */
export function poolScores(scores: readonly Score[]): Score {
  let tp = 0;
  let detected = 0;
  let reference = 0;
  for (const s of scores) {
    tp += s.truePositives;
    detected += s.truePositives + s.falsePositives;
    reference += s.truePositives + s.falseNegatives;
  }
  return score(tp, detected, reference);
}

/**
 * Hard cuts: `detected` and `reference` are first frames of new shots. Detections inside an `ignore` span
 * (reference gradual transitions, widened by the tolerance) are not counted either way.
 */
export function scoreCuts(detected: readonly number[], reference: readonly number[], tolerance = 2, ignore: readonly Span[] = []): Score {
  const inIgnored = (frame: number) => ignore.some((span) => frame >= span.start - tolerance && frame <= span.end + tolerance);
  const isReference = (frame: number) => reference.some((cut) => Math.abs(cut - frame) <= tolerance);
  const counted = detected.filter((frame) => isReference(frame) || !inIgnored(frame));
  const used = new Set<number>();
  let tp = 0;
  for (const cut of [...reference].sort((a, b) => a - b)) {
    let best = -1;
    for (let i = 0; i < counted.length; i++) {
      if (used.has(i)) continue;
      const distance = Math.abs(counted[i]! - cut);
      if (distance <= tolerance && (best === -1 || distance < Math.abs(counted[best]! - cut))) best = i;
    }
    if (best !== -1) {
      used.add(best);
      tp++;
    }
  }
  return score(tp, counted.length, reference.length);
}

/** Gradual transitions: one-to-one matching of overlapping spans (largest overlap first). */
export function scoreGradual(detected: readonly Span[], reference: readonly Span[], slack = 0): Score {
  const pairs: { d: number; r: number; overlap: number }[] = [];
  detected.forEach((d, di) =>
    reference.forEach((r, ri) => {
      const overlap = Math.min(d.end, r.end + slack) - Math.max(d.start, r.start - slack) + 1;
      if (overlap > 0) pairs.push({ d: di, r: ri, overlap });
    }),
  );
  pairs.sort((a, b) => b.overlap - a.overlap);
  const usedD = new Set<number>();
  const usedR = new Set<number>();
  let tp = 0;
  for (const pair of pairs) {
    if (usedD.has(pair.d) || usedR.has(pair.r)) continue;
    usedD.add(pair.d);
    usedR.add(pair.r);
    tp++;
  }
  return score(tp, detected.length, reference.length);
}

/**
 * Scores detected transitions against a reference: the cuts' boundaries with {@link scoreCuts} (reference
 * gradual spans ignored, ±`tolerance`), the other transitions' spans with {@link scoreGradual}.
 */
export function scoreTransitions(
  detected: readonly (Span & { readonly kind: string; readonly boundary: number })[],
  reference: { readonly cuts: readonly number[]; readonly gradual: readonly Span[] },
  tolerance = 2,
): { hard: Score; gradual: Score } {
  const cuts = detected.filter((t) => t.kind === 'cut').map((t) => t.boundary);
  return {
    hard: scoreCuts(cuts, reference.cuts, tolerance, reference.gradual),
    gradual: scoreGradual(
      detected.filter((t) => t.kind !== 'cut'),
      reference.gradual,
    ),
  };
}

/**
 * False detections on hard negatives, by negative kind: a detected cut within ±`tolerance` of a negative
 * span [start, end] with no reference cut within ±`tolerance` of it, and a detected gradual span that
 * overlaps the negative and no reference gradual span. Counts every negative kind given, zeros included.
 */
export function falseDetectionsByKind(
  detected: readonly (Span & { readonly kind: string; readonly boundary: number })[],
  reference: { readonly cuts: readonly number[]; readonly gradual: readonly Span[] },
  negatives: readonly (Span & { readonly kind: string })[],
  tolerance = 2,
): Record<string, { cases: number; falseCuts: number; falseGradual: number }> {
  const counts: Record<string, { cases: number; falseCuts: number; falseGradual: number }> = {};
  const overlaps = (a: Span, b: Span) => a.start <= b.end && b.start <= a.end;
  for (const negative of negatives) {
    const count = (counts[negative.kind] ??= { cases: 0, falseCuts: 0, falseGradual: 0 });
    count.cases++;
    for (const t of detected) {
      if (t.kind === 'cut') {
        const near = t.boundary >= negative.start - tolerance && t.boundary <= negative.end + tolerance;
        if (near && !reference.cuts.some((cut) => Math.abs(cut - t.boundary) <= tolerance)) count.falseCuts++;
      } else if (overlaps(t, negative) && !reference.gradual.some((g) => overlaps(g, t))) count.falseGradual++;
    }
  }
  return counts;
}
