import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareVersions, parseRange, parseVersion, satisfies } from '../../companion/host/semver-range';

test('versions parse with pre-release tags and build metadata, and malformed ones are refused', () => {
  assert.deepEqual(parseVersion('1.2.3-beta.1+build.5'), { major: 1, minor: 2, patch: 3, prerelease: 'beta.1' });
  for (const bad of ['1.2', '01.2.3', '1.2.3.4', 'x.y.z', '']) assert.equal(parseVersion(bad), undefined, bad);
  assert.ok(compareVersions(parseVersion('1.0.0-rc.1')!, parseVersion('1.0.0')!) < 0);
});

test('caret ranges lock the left-most non-zero part, as npm does', () => {
  assert.ok(satisfies('0.1.0', '^0.1.0'));
  assert.ok(satisfies('0.1.9', '^0.1.0'));
  assert.ok(!satisfies('0.2.0', '^0.1.0'));
  assert.ok(satisfies('1.9.0', '^1.2.3'));
  assert.ok(!satisfies('2.0.0', '^1.2.3'));
  assert.ok(!satisfies('1.2.2', '^1.2.3'));
  assert.ok(satisfies('0.0.3', '^0.0.3'));
  assert.ok(!satisfies('0.0.4', '^0.0.3'));
});

test('tilde, comparison, x-ranges, intersections and unions behave like semver', () => {
  assert.ok(satisfies('1.2.9', '~1.2.3') && !satisfies('1.3.0', '~1.2.3'));
  assert.ok(satisfies('0.5.0', '>=0.1.0 <1.0.0') && !satisfies('1.0.0', '>=0.1.0 <1.0.0'));
  assert.ok(satisfies('1.4.2', '1.x') && !satisfies('2.0.0', '1.x'));
  assert.ok(satisfies('1.2.7', '1.2.*') && !satisfies('1.3.0', '1.2.*'));
  assert.ok(satisfies('3.0.0', '^1.0.0 || ^3.0.0') && !satisfies('2.0.0', '^1.0.0 || ^3.0.0'));
  assert.ok(satisfies('0.1.0', '*') && satisfies('0.1.0', '0.1.0') && satisfies('0.1.0', '= 0.1.0'));
  assert.ok(!satisfies('0.1.0', '>0.1.0') && satisfies('0.1.0', '<=0.1.0'));
});

test('a malformed range is reported as such, not as a mismatch', () => {
  for (const bad of ['^one', '>=1.2.3 <', 'latest', '1.2.3 - 2']) assert.equal(parseRange(bad), undefined, bad);
});
