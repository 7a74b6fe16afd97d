/**
 * The decode lane: when many files are analysed side by side (pipeline/sources.ts reads warm cache entries up to
 * eight at a time), the work that decodes media (a movie's decode and detection, the shot pool's frame samples,
 * the shot encoders' frames) still runs for one file at a time, as when files were analysed one after another:
 * a decode is parallel inside itself already, and decodes of several files would only fight for the cores and
 * memory. One file's own decoding work may overlap (its emotion encoders run side by side, as before).
 *
 * Each file's analysis runs inside {@link withDecodeLane}, which gives it its own place in a shared lane;
 * {@link inDecodeLane} outside any lane runs its work at once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Admits the work of one holder at a time (any number of its pieces together); others wait their turn, first come first served. */
export class DecodeLane {
  private holder: object | undefined;
  private running = 0;
  private readonly waiting: { readonly holder: object; readonly admit: () => void; readonly refuse: (error: unknown) => void }[] = [];
  private closed: { readonly error: unknown } | undefined;

  /** Runs `work` once no other holder's work runs. Rejects with the lane's error once it is {@link close}d. */
  async exclusive<T>(holder: object, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw this.closed.error;
    if (this.holder === undefined || this.holder === holder) {
      this.holder = holder;
      this.running++;
    } else await new Promise<void>((admit, refuse) => this.waiting.push({ holder, admit, refuse })); // counted in by handOver
    try {
      return await work();
    } finally {
      // Handed on after the current turn's promise callbacks: an analysis that just failed closes the lane first.
      if (--this.running === 0) setImmediate(() => this.running === 0 && this.handOver());
    }
  }

  /**
   * Refuses all waiting and later work with `error` (work running now finishes): once an analysis has failed, the
   * files still waiting to decode are not decoded for nothing.
   */
  close(error: unknown): void {
    this.closed ??= { error };
    for (const entry of this.waiting.splice(0)) entry.refuse(this.closed.error);
  }

  /** Gives the lane to the first waiting holder, with all of its waiting work. */
  private handOver(): void {
    const next = this.waiting[0]?.holder;
    this.holder = next;
    if (next === undefined) return;
    for (let i = 0; i < this.waiting.length; ) {
      const entry = this.waiting[i]!;
      if (entry.holder !== next) i++;
      else {
        this.waiting.splice(i, 1);
        // Counted now, so the lane is not handed on before this work starts.
        this.running++;
        entry.admit();
      }
    }
  }
}

const current = new AsyncLocalStorage<{ readonly lane: DecodeLane; readonly holder: object }>();

/** Runs `work` (one file's analysis) as a holder of its own in `lane`: its decoding waits while another holder's runs. */
export function withDecodeLane<T>(lane: DecodeLane, work: () => Promise<T>): Promise<T> {
  return current.run({ lane, holder: {} }, work);
}

/** Runs decoding `work` in the caller's decode lane (see the file header); without a lane, at once. */
export function inDecodeLane<T>(work: () => Promise<T>): Promise<T> {
  const context = current.getStore();
  return context ? context.lane.exclusive(context.holder, work) : work();
}
