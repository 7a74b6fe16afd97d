/**
 * Disposable, Event, CancellationToken and Progress, after VS Code's API: registrations return a
 * Disposable; events are functions that take a listener and return a Disposable; long work takes a
 * CancellationToken last and reports through Progress.
 */
import { CancellationError } from './errors';

export interface Disposable {
  dispose(): void;
}

export function toDisposable(dispose: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      dispose();
    },
  };
}

/** Disposes every item, even when one throws; rethrows the first error afterwards. */
export function disposeAll(items: Iterable<Disposable>): void {
  let first: unknown;
  for (const item of items) {
    try {
      item.dispose();
    } catch (error) {
      first ??= error;
    }
  }
  if (first !== undefined) throw first;
}

/** A function to subscribe to an event; returns a Disposable that unsubscribes. */
export type Event<T> = (listener: (event: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners = new Set<(event: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  };

  fire(event: T): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  dispose(): void {
    this.listeners.clear();
  }
}

export interface CancellationToken {
  readonly isCancellationRequested: boolean;
  readonly onCancellationRequested: Event<void>;
}

const neverEmitter = new Emitter<void>();

export const CancellationToken = {
  /** A token that is never cancelled. */
  None: Object.freeze({ isCancellationRequested: false, onCancellationRequested: neverEmitter.event }) as CancellationToken,
};

export class CancellationTokenSource implements Disposable {
  private readonly emitter = new Emitter<void>();
  private cancelled = false;

  readonly token: CancellationToken;

  constructor(parent?: CancellationToken) {
    const self = this;
    this.token = {
      get isCancellationRequested() {
        return self.cancelled;
      },
      onCancellationRequested: (listener) => {
        if (self.cancelled) {
          queueMicrotask(() => listener());
          return toDisposable(() => {});
        }
        return self.emitter.event(listener);
      },
    };
    parent?.onCancellationRequested(() => this.cancel());
    if (parent?.isCancellationRequested) this.cancel();
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.emitter.fire();
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

/** Throws {@link CancellationError} when the token has fired. Call it between units of work. */
export function throwIfCancelled(token: CancellationToken | undefined): void {
  if (token?.isCancellationRequested) throw new CancellationError();
}

export interface Progress<T> {
  report(value: T): void;
}

/** What long work reports: the stage, how far it is (0..1), and an optional message. */
export interface ProgressReport {
  readonly stage: string;
  readonly fraction: number;
  readonly message?: string;
}

export const Progress = {
  None: { report() {} } as Progress<ProgressReport>,
};

/**
 * Maps a sub-task's progress [0,1] into a slice [start, end) of a stage, so that nested work reports one
 * monotonic fraction per stage.
 */
export function scaledProgress(progress: Progress<ProgressReport>, start: number, end: number): Progress<ProgressReport> {
  return {
    report: (value) => progress.report({ ...value, fraction: start + (end - start) * Math.min(1, Math.max(0, value.fraction)) }),
  };
}
