/**
 * The sliding-window maximum at the heart of every kernel: for each end bar j, the best start a in the
 * shot's allowed window [low[j], high[j]] of score[a] (a source row minus the shot's value prefix). Both window
 * ends only move right as j grows, so a monotone deque gives O(bars) per row whatever the shot's length; for
 * short windows a direct scan is faster and is used instead.
 */
import type { ShotWindows } from './shot-windows';

/** Windows of at most this many bars are scanned directly (here and in the hard kernel's inline path); wider ones use the deque. */
export const DIRECT_SCAN_BARS = 4;

/** Fills best[j] = max_a score[a] + prefix[j] and start[j] = that a (−1 and −Infinity when the window is empty), j = 1..L. */
export function windowMax(score: Float64Array, prefix: Float64Array, windows: ShotWindows, best: Float64Array, start: Int32Array, deque: Int32Array): void {
  const L = windows.barCount;
  const { low, high } = windows;
  if (windows.maxBars <= DIRECT_SCAN_BARS) {
    for (let j = 1; j <= L; j++) {
      const lo = low[j]!;
      const hi = high[j]!;
      let top = -Infinity;
      let at = -1;
      for (let a = hi; a >= lo; a--) {
        const value = score[a]!;
        if (value > top) {
          top = value;
          at = a;
        }
      }
      best[j] = top + prefix[j]!;
      start[j] = at;
    }
    return;
  }
  let head = 0;
  let tail = 0;
  let next = 0;
  for (let j = 1; j <= L; j++) {
    const lo = low[j]!;
    const hi = high[j]!;
    if (lo > hi) {
      best[j] = -Infinity;
      start[j] = -1;
      continue;
    }
    for (; next <= hi; next++) {
      if (next < lo) continue;
      const value = score[next]!;
      while (tail > head && score[deque[tail - 1]!]! <= value) tail--;
      deque[tail++] = next;
    }
    while (deque[head]! < lo) head++;
    const at = deque[head]!;
    best[j] = score[at]! + prefix[j]!;
    start[j] = score[at]! === -Infinity ? -1 : at;
  }
}
