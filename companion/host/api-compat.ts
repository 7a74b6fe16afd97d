/**
 * Compile-time proof that the public API (companion/api/auto-montage.d.ts) and the internal types
 * (companion/core) are structurally the same in both directions, so built-in code written against core passes
 * as an API implementation and what an extension registers passes where core expects it. `tsc` checks this
 * file; it has no runtime content.
 */
import type * as api from '../api/auto-montage';
import type * as core from '../core';

type Assignable<From, To> = [From] extends [To] ? true : false;
type Both<A, B> = Assignable<A, B> extends true ? (Assignable<B, A> extends true ? true : false) : false;
type Check<T extends true> = T;

export type ApiCompatibility = [
  Check<Both<api.Timeline, core.Timeline>>,
  Check<Both<api.MediaReference, core.MediaReference>>,
  Check<Both<api.Marker, core.Marker>>,
  Check<Both<api.ExportedFile, core.ExportedFile>>,
  Check<Both<api.Disposable, core.Disposable>>,
  Check<Both<api.CancellationToken, core.CancellationToken>>,
  Check<Both<api.Progress<api.ProgressReport>, core.Progress<core.ProgressReport>>>,
  Check<Both<api.ShotEmotionEncoder, core.ShotEmotionEncoder>>,
  Check<Both<api.MusicEmotionEncoder, core.MusicEmotionEncoder>>,
  Check<Both<api.EmotionEncoder, core.EmotionEncoder>>,
  Check<Both<api.ShotDetector, core.ShotDetector>>,
  Check<Both<api.BarTracker, core.BarTracker>>,
  Check<Both<api.MovieAnalysis, core.MovieAnalysis>>,
  Check<Both<api.MusicAnalysis, core.MusicAnalysis>>,
];
