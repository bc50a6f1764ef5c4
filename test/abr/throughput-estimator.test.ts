import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESTIMATOR_DEFAULTS, ThroughputEstimator, type ThroughputSample } from '../../src/abr/throughput-estimator.js';

/** Feeds `seconds` of downloads at `bps`, in samples of `sampleSec` each. */
function feed(est: ThroughputEstimator, bps: number, seconds: number, sampleSec = 1): void {
  for (let t = 0; t < seconds - 1e-9; t += sampleSec) {
    const used = est.addSample({ bytes: (bps * sampleSec) / 8, durationMs: sampleSec * 1000, source: 'network' });
    assert.ok(used, 'sample should be used');
  }
}

const near = (actual: number | undefined, expected: number, tolerance: number, what: string): void => {
  assert.ok(actual !== undefined, `${what} is undefined`);
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} not within ${tolerance} of ${expected}`);
};

test('there is no estimate before the first accepted sample', () => {
  const est = new ThroughputEstimator();
  assert.equal(est.estimateBps(), undefined);
  assert.equal(est.sampleCount, 0);
});

test('the first sample is the estimate exactly (zero-bias correction)', () => {
  const est = new ThroughputEstimator();
  const sample: ThroughputSample = { bytes: 250_000, durationMs: 800, source: 'network' };
  assert.equal(est.addSample(sample), true);
  const expected = (sample.bytes * 8) / (sample.durationMs / 1000);
  near(est.estimateBps(), expected, expected * 1e-12, 'estimate');
  near(est.fastBps, expected, expected * 1e-12, 'fast');
  near(est.slowBps, expected, expected * 1e-12, 'slow');
});

test('samples below 16000 bytes are ignored as noise', () => {
  const est = new ThroughputEstimator();
  assert.equal(est.addSample({ bytes: ESTIMATOR_DEFAULTS.minSampleBytes - 1, durationMs: 10, source: 'network' }), false);
  assert.equal(est.estimateBps(), undefined);
  assert.equal(est.addSample({ bytes: ESTIMATOR_DEFAULTS.minSampleBytes, durationMs: 100, source: 'network' }), true);
  const before = est.estimateBps();
  assert.equal(before, (ESTIMATOR_DEFAULTS.minSampleBytes * 8) / 0.1);
  // A tiny, very fast response would otherwise claim a huge rate.
  assert.equal(est.addSample({ bytes: 2_000, durationMs: 1, source: 'network' }), false);
  assert.equal(est.estimateBps(), before);
});

test('samples from the cache never feed the estimator', () => {
  const est = new ThroughputEstimator();
  assert.equal(est.addSample({ bytes: 10_000_000, durationMs: 5, source: 'cache' }), false);
  assert.equal(est.estimateBps(), undefined);
  feed(est, 1_000_000, 4);
  const before = est.estimateBps();
  assert.equal(est.addSample({ bytes: 10_000_000, durationMs: 5, source: 'cache' }), false);
  assert.equal(est.estimateBps(), before);
  assert.equal(est.sampleCount, 4);
});

test('samples without a positive duration are ignored', () => {
  const est = new ThroughputEstimator();
  assert.equal(est.addSample({ bytes: 100_000, durationMs: 0, source: 'network' }), false);
  assert.equal(est.addSample({ bytes: 100_000, durationMs: -5, source: 'network' }), false);
  assert.equal(est.addSample({ bytes: 100_000, durationMs: Number.NaN, source: 'network' }), false);
  assert.equal(est.estimateBps(), undefined);
});

test('after a step down the fast average covers half the step in 2 s, the slow one in 10 s', () => {
  const high = 4_000_000;
  const low = 1_000_000;
  const est = new ThroughputEstimator();
  feed(est, high, 300);
  near(est.estimateBps(), high, 1e-6 * high, 'settled estimate');
  feed(est, low, 2);
  const mid = (high + low) / 2;
  near(est.fastBps, mid, 1e-3 * (high - low), 'fast after 2 s');
  // The slow average has moved 1 - 2^(-2/10) of the step.
  near(est.slowBps, high - (high - low) * (1 - 2 ** (-2 / 10)), 1e-3 * (high - low), 'slow after 2 s');
  // The estimate is the smaller, conservative one.
  assert.equal(est.estimateBps(), est.fastBps);
  feed(est, low, 8);
  near(est.slowBps, mid, 1e-3 * (high - low), 'slow after 10 s');
  near(est.fastBps, low + (high - low) / 32, 1e-3 * (high - low), 'fast after 10 s (5 half-lives)');
});

test('after a step up the estimate follows the slow average', () => {
  const est = new ThroughputEstimator();
  feed(est, 500_000, 300);
  feed(est, 3_000_000, 4);
  const fast = est.fastBps ?? NaN;
  const slow = est.slowBps ?? NaN;
  assert.ok(fast > slow, `fast ${fast} should lead slow ${slow} upwards`);
  assert.equal(est.estimateBps(), slow);
  near(fast, 3_000_000 - 2_500_000 / 4, 1e-3 * 2_500_000, 'fast after 2 half-lives');
});

test('samples are weighted by duration: one 4 s sample equals four 1 s samples at the same rate', () => {
  const a = new ThroughputEstimator();
  const b = new ThroughputEstimator();
  feed(a, 2_000_000, 20);
  feed(b, 2_000_000, 20);
  a.addSample({ bytes: (600_000 * 4) / 8, durationMs: 4000, source: 'network' });
  feed(b, 600_000, 4, 1);
  const ea = a.estimateBps() ?? NaN;
  const eb = b.estimateBps() ?? NaN;
  assert.ok(Math.abs(ea - eb) < 1e-6 * ea, `${ea} vs ${eb}`);
  // And a short sample moves the average less than a long one at the same rate.
  const c = new ThroughputEstimator();
  feed(c, 2_000_000, 20);
  c.addSample({ bytes: (600_000 * 0.5) / 8, durationMs: 500, source: 'network' });
  assert.ok((c.estimateBps() ?? 0) > ea);
});

test('reset forgets every sample', () => {
  const est = new ThroughputEstimator();
  feed(est, 1_000_000, 3);
  assert.notEqual(est.estimateBps(), undefined);
  est.reset();
  assert.equal(est.estimateBps(), undefined);
  assert.equal(est.sampleCount, 0);
  feed(est, 300_000, 1);
  near(est.estimateBps(), 300_000, 1e-6, 'estimate after reset');
});

test('custom half-lives apply and bad options are refused', () => {
  const est = new ThroughputEstimator({ fastHalfLifeSec: 1, slowHalfLifeSec: 4, minSampleBytes: 0 });
  feed(est, 1_000_000, 200);
  feed(est, 0.0001, 1);
  near(est.fastBps, 500_000, 1, 'fast after one 1 s half-life');
  assert.throws(() => new ThroughputEstimator({ fastHalfLifeSec: 0 }), TypeError);
  assert.throws(() => new ThroughputEstimator({ slowHalfLifeSec: Number.NaN }), TypeError);
  assert.throws(() => new ThroughputEstimator({ minSampleBytes: -1 }), TypeError);
});
