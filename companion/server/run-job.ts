/**
 * The seam between the server and the montage work. The server queues, cancels, stores and serves; a
 * `RunJob` does the work. The real one (./pipeline-runner.ts) drives companion/pipeline; tests inject fakes.
 */
import type { CancellationToken, Progress, ProgressReport } from '../core/lifecycle';
import type { AnalysisSummary, ArtifactFile, FrameRate, JobKind, MediaSource, MontageOptions, MontageResultData, MovieSource } from '../protocol/messages';

/** A validated request, the same shape for every kind of job. */
export interface JobRequest {
  readonly kind: JobKind;
  /** The movie, or with `sources` the first of them. */
  readonly movie: MediaSource;
  /** The media ranges to draw from, when the client sent a list. */
  readonly sources?: readonly MovieSource[];
  /** The timeline's rate (the client's sequence). */
  readonly rate?: FrameRate;
  readonly music: MediaSource;
  readonly options: MontageOptions;
  /** Exporter ids; undefined = every exporter. */
  readonly formats?: readonly string[];
  readonly preview: boolean;
  /** resolve: the job whose analysis is reused. */
  readonly sourceJobId?: string;
}

export interface JobRunContext {
  readonly jobId: string;
  /** The folder to write output files into (a private work folder; published atomically on success). */
  readonly outDir: string;
  /** The shared analysis cache folder. */
  readonly cacheDir: string;
  /** resolve: the source job's analysis, as a previous run returned it in `analysisData`. */
  readonly analysisData?: unknown;
}

/** A file written into outDir and how to label it (an ArtifactFile before the store adds its size and the URL). */
export type OutputFile = Pick<ArtifactFile, 'name' | 'format'>;

/**
 * A montage as a run returns it: the protocol's MontageResultData with file names where the wire has URLs
 * (URLs carry the port and token, so toResultMessage makes them at send time).
 */
export interface MontageOutput extends Omit<MontageResultData, 'files' | 'previewUrl'> {
  readonly files: readonly OutputFile[];
  /** The name of the preview video among `files`, or null. */
  readonly preview: string | null;
}

export interface JobRunOutput {
  readonly analysis: AnalysisSummary;
  /**
   * What resolve needs to re-solve without decoding again. Kept in memory and on disk (analysis.json);
   * it must survive JSON (typed arrays are tagged and restored by the store).
   */
  readonly analysisData?: unknown;
  /** Present for montage and resolve jobs. */
  readonly montage?: MontageOutput;
}

/**
 * Does one job. Must honour `token` (reject with CancellationError soon after it fires, with every child
 * process killed), report progress per stage, and write only inside `context.outDir`.
 */
export type RunJob = (request: JobRequest, context: JobRunContext, progress: Progress<ProgressReport>, token: CancellationToken) => Promise<JobRunOutput>;

/** Optional facts for /health. */
export interface GpuStatus {
  /** Whether inference runs on a GPU. */
  readonly inUse: boolean;
  /** The ONNX execution provider, e.g. "cpu" or "cuda". */
  readonly provider: string;
  readonly device?: string;
}
