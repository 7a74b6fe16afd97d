/**
 * A pool of onnxruntime-node inference sessions, one per model file and device, created once and shared.
 * CPU is the default; `device: 'auto'` tries the CUDA execution provider first when this runtime ships it
 * (onnxruntime-node's CUDA provider is an optional download) and falls back to CPU, so results are the
 * same model run on another provider. Runs on one session are serialised (a session is not re-entrant
 * across concurrent `run` calls in every provider). ONNX Runtime's telemetry is off (no-telemetry.ts): every
 * use of onnxruntime-node goes through this module's `ort`.
 */
import { existsSync } from 'node:fs';
import './no-telemetry'; // sets the switch ONNX Runtime reads when the first session creates its environment
import * as ort from 'onnxruntime-node';
import { MontageError } from '../../core/errors';

export type OnnxDevice = 'cpu' | 'cuda' | 'auto';

export interface SessionOptions {
  /** 'cpu' (default), 'cuda' (fail if unavailable), or 'auto' (CUDA when available, else CPU). */
  readonly device?: OnnxDevice;
  /** Intra-op threads for the CPU provider (default 1: the analysis already runs stages in parallel). */
  readonly threads?: number;
}

/** A shared session plus the provider it actually runs on. */
export interface PooledSession {
  readonly path: string;
  readonly provider: 'cpu' | 'cuda';
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs the model; calls are queued so only one run is in flight per session. */
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
}

/** True when this onnxruntime-node build lists the CUDA backend as installed. */
export function cudaAvailable(): boolean {
  try {
    return ort.listSupportedBackends().some((b) => b.name === 'cuda' && b.bundled);
  } catch {
    return false;
  }
}

export class SessionPool {
  private readonly sessions = new Map<string, Promise<PooledSession>>();
  private readonly raw = new Set<ort.InferenceSession>();

  /** The pooled session for a model file; created on first use. Throws AM_ERR_MODEL_MISSING / AM_ERR_MODEL_INVALID. */
  acquire(path: string, options: SessionOptions = {}): Promise<PooledSession> {
    const device = options.device ?? 'cpu';
    const threads = Math.max(1, Math.floor(options.threads ?? 1));
    const key = `${device}|${threads}|${path}`;
    let entry = this.sessions.get(key);
    if (!entry) {
      entry = this.create(path, device, threads);
      // A failed creation is not cached, so a model written later (converted on demand) can load.
      entry.catch(() => this.sessions.delete(key));
      this.sessions.set(key, entry);
    }
    return entry;
  }

  private async create(path: string, device: OnnxDevice, threads: number): Promise<PooledSession> {
    if (!existsSync(path)) throw new MontageError('AM_ERR_MODEL_MISSING', `The model file ${path} does not exist.`, { where: { file: path } });
    const base: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
    let session: ort.InferenceSession | undefined;
    let provider: 'cpu' | 'cuda' = 'cpu';
    if (device === 'cuda' || (device === 'auto' && cudaAvailable())) {
      try {
        session = await ort.InferenceSession.create(path, { ...base, executionProviders: ['cuda'] });
        provider = 'cuda';
      } catch (error) {
        if (device === 'cuda') throw new MontageError('AM_ERR_MODEL_INVALID', `The CUDA execution provider could not load ${path}: ${(error as Error).message}`, { where: { file: path }, cause: error });
      }
    }
    try {
      session ??= await ort.InferenceSession.create(path, { ...base, executionProviders: ['cpu'] });
    } catch (error) {
      throw new MontageError('AM_ERR_MODEL_INVALID', `The model ${path} could not be loaded: ${(error as Error).message}`, { where: { file: path }, cause: error });
    }
    this.raw.add(session);
    const loaded = session;
    let queue: Promise<unknown> = Promise.resolve();
    return {
      path,
      provider,
      inputNames: loaded.inputNames,
      outputNames: loaded.outputNames,
      run: (feeds) => {
        const next = queue.then(() => loaded.run(feeds));
        queue = next.catch(() => undefined);
        return next as Promise<Record<string, ort.Tensor>>;
      },
    };
  }

  /** Releases every session. */
  async dispose(): Promise<void> {
    const sessions = [...this.raw];
    this.raw.clear();
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.release().catch(() => undefined)));
  }
}

let shared: SessionPool | undefined;

/** The process-wide pool (the companion keeps models loaded between jobs). */
export function sharedSessionPool(): SessionPool {
  shared ??= new SessionPool();
  return shared;
}

export { ort };
