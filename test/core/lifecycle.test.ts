import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancellationTokenSource, disposeAll, Emitter, scaledProgress, throwIfCancelled, toDisposable, type ProgressReport } from '../../companion/core/lifecycle';
import { CancellationError } from '../../companion/core/errors';

test('an emitter delivers events until the listener disposes its subscription', () => {
  const emitter = new Emitter<number>();
  const seen: number[] = [];
  const subscription = emitter.event((n) => seen.push(n));
  emitter.fire(1);
  subscription.dispose();
  emitter.fire(2);
  assert.deepEqual(seen, [1]);
});

test('cancelling a parent token cancels its children and fires listeners once', () => {
  const parent = new CancellationTokenSource();
  const child = new CancellationTokenSource(parent.token);
  let fired = 0;
  child.token.onCancellationRequested(() => fired++);
  parent.cancel();
  parent.cancel();
  assert.equal(child.token.isCancellationRequested, true);
  assert.equal(fired, 1);
  assert.throws(() => throwIfCancelled(child.token), CancellationError);
});

test('disposeAll disposes every item even when one throws, then rethrows the first error', () => {
  const order: string[] = [];
  const items = [toDisposable(() => order.push('a')), toDisposable(() => { throw new Error('b'); }), toDisposable(() => order.push('c'))];
  assert.throws(() => disposeAll(items), /b/);
  assert.deepEqual(order, ['a', 'c']);
});

test('scaled progress maps a sub-task into its slice of the stage and clamps', () => {
  const reports: ProgressReport[] = [];
  const progress = scaledProgress({ report: (r) => reports.push(r) }, 0.5, 1);
  progress.report({ stage: 'decode', fraction: 0.5 });
  progress.report({ stage: 'decode', fraction: 2 });
  assert.deepEqual(reports.map((r) => r.fraction), [0.75, 1]);
});
