import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AbrController, type AbrDecision, type AbrVariant } from '../../src/abr/abr-controller.js';
import { ABR_DEFAULTS } from '../../src/abr/abr-options.js';
import type { BandwidthEstimator, ThroughputSample } from '../../src/abr/throughput-estimator.js';
import { FakeClock } from '../../src/platform/clock.js';

// Listed out of bandwidth order on purpose: the controller must not rely on playlist order.
const VARIANTS: AbrVariant[] = [
  { index: 0, bandwidth: 256_000 },
  { index: 1, bandwidth: 128_000 },
  { index: 2, bandwidth: 1_024_000 },
  { index: 3, bandwidth: 512_000 },
];
const bw = (index: number): number => VARIANTS.find((v) => v.index === index)?.bandwidth ?? NaN;
const LOWEST = 1;
const SEC = 1000;
const PLENTY = 30; // seconds of buffer, above every threshold

/** A dependency stand-in: the estimate is whatever the test sets. */
class SetEstimator implements BandwidthEstimator {
  value: number | undefined;
  addSample(_sample: ThroughputSample): boolean {
    return true;
  }
  estimateBps(): number | undefined {
    return this.value;
  }
  reset(): void {
    this.value = undefined;
  }
}

function setup(options = {}, start?: number) {
  const clock = new FakeClock();
  const estimator = new SetEstimator();
  const abr = new AbrController(VARIANTS, options, { clock, estimator });
  if (start !== undefined) {
    // Reach `start` through the real flow: an initial decision from an estimate that fits it exactly.
    estimator.value = bw(start) * ABR_DEFAULTS.safetyFactor;
    const d = abr.decide(0);
    assert.deepEqual(d, { target: start, reason: 'initial', changed: true });
    clock.advance(ABR_DEFAULTS.minSwitchIntervalSec * SEC);
  }
  return { clock, estimator, abr };
}

const expectDecision = (d: AbrDecision, target: number, reason: string, changed: boolean): void =>
  assert.deepEqual(d, { target, reason, changed });

test('the first decision without an estimate fits startEstimateBps (500 kbit/s by default)', () => {
  const { abr } = setup();
  assert.equal(abr.current, undefined);
  expectDecision(abr.decide(0), 0, 'initial', true); // budget 400k: 256k fits, 512k does not
  assert.equal(abr.current, 0);
});

test('startEstimateBps 0 starts on the lowest-bandwidth variant', () => {
  const { abr } = setup({ startEstimateBps: 0 });
  expectDecision(abr.decide(0), LOWEST, 'initial', true);
  const high = setup({ startEstimateBps: 2_000_000 }).abr;
  expectDecision(high.decide(0), 2, 'initial', true);
});

test('the first decision uses startVariant when given', () => {
  const { abr, estimator } = setup({ startVariant: 3 });
  estimator.value = 50_000_000;
  expectDecision(abr.decide(0), 3, 'initial', true);
});

test('the first decision with an estimate picks the highest variant within estimate / safetyFactor', () => {
  const { abr, estimator } = setup();
  estimator.value = 700_000; // budget 560k: 512k fits, 1024k does not
  expectDecision(abr.decide(0), 3, 'initial', true);
});

test('manual mode pins the variant whatever the network and buffer say', () => {
  const { abr, estimator, clock } = setup({ mode: 2 });
  estimator.value = 10_000;
  expectDecision(abr.decide(0), 2, 'manual', true);
  clock.advance(60 * SEC);
  expectDecision(abr.decide(0), 2, 'manual', false);
  abr.setMode(0);
  expectDecision(abr.decide(PLENTY), 0, 'manual', true);
  assert.equal(abr.mode, 0);
});

test('setMode("auto") returns to adapting, after the minimum interval since the manual switch', () => {
  const { abr, estimator, clock } = setup({}, LOWEST);
  abr.setMode(2);
  expectDecision(abr.decide(PLENTY), 2, 'manual', true);
  abr.setMode('auto');
  estimator.value = 300_000; // budget 240k: 128k; 300k <= 0.8 × 1024k, so a down-switch
  expectDecision(abr.decide(PLENTY), 2, 'min-interval', false);
  clock.advance(ABR_DEFAULTS.minSwitchIntervalSec * SEC);
  expectDecision(abr.decide(PLENTY), LOWEST, 'down', true);
});

test('bad modes and options are refused with clear errors', () => {
  const { abr } = setup();
  assert.throws(() => abr.setMode(7), RangeError);
  assert.throws(() => abr.setMode(-1), RangeError);
  assert.throws(() => new AbrController(VARIANTS, { mode: 9 }), /options\.abr\.mode must be 'auto' or one of the variant indexes 0, 1, 2, 3/);
  assert.throws(() => new AbrController(VARIANTS, { startVariant: 9 }), RangeError);
  assert.throws(() => new AbrController(VARIANTS, { safetyFactor: 0 }), /options\.abr\.safetyFactor, when provided, must be a number/);
  assert.throws(() => new AbrController(VARIANTS, { downHysteresis: 1.5 }), TypeError);
  assert.throws(() => new AbrController([], {}), TypeError);
  assert.throws(() => new AbrController([{ index: 0, bandwidth: 0 }], {}), TypeError);
  assert.throws(() => new AbrController([{ index: 0, bandwidth: 1 }, { index: 0, bandwidth: 2 }], {}), TypeError);
});

test('no switch happens within the minimum interval after a switch', () => {
  const { abr, estimator, clock } = setup({ startEstimateBps: 0 });
  expectDecision(abr.decide(0), LOWEST, 'initial', true);
  estimator.value = 10_000_000;
  clock.advance(ABR_DEFAULTS.minSwitchIntervalSec * SEC - 1);
  expectDecision(abr.decide(PLENTY), LOWEST, 'min-interval', false);
  clock.advance(1);
  expectDecision(abr.decide(PLENTY), 2, 'up', true);
  clock.advance(ABR_DEFAULTS.minSwitchIntervalSec * SEC - 1);
  estimator.value = 400_000; // would be a plain down-switch, but too soon and the buffer is fine
  expectDecision(abr.decide(PLENTY), 2, 'min-interval', false);
});

test('without an estimate the current variant is kept', () => {
  const { abr, estimator } = setup({}, 0);
  estimator.value = undefined;
  expectDecision(abr.decide(PLENTY), 0, 'no-estimate', false);
});

test('an up-switch waits for enough buffer', () => {
  const { abr, estimator } = setup({}, LOWEST);
  estimator.value = 10_000_000;
  expectDecision(abr.decide(ABR_DEFAULTS.minBufferForUpSwitchSec - 0.01), LOWEST, 'buffer-too-low', false);
  expectDecision(abr.decide(ABR_DEFAULTS.minBufferForUpSwitchSec), 2, 'up', true);
});

test('an up-switch needs throughput of candidate × upHysteresis (boundary included)', () => {
  const { abr, estimator } = setup({}, LOWEST);
  // Fits the safety factor (1.25) but not the up hysteresis (1.3).
  estimator.value = bw(0) * 1.28;
  expectDecision(abr.decide(PLENTY), LOWEST, 'optimal', false);
  estimator.value = bw(0) * ABR_DEFAULTS.upHysteresis;
  expectDecision(abr.decide(PLENTY), 0, 'up', true);
});

test('a down-switch with enough buffer needs throughput at or below current × downHysteresis', () => {
  const { abr, estimator } = setup({}, 3); // 512k
  estimator.value = bw(3) * 0.9; // candidate 256k is lower, but 0.9 > 0.8: stay
  expectDecision(abr.decide(PLENTY), 3, 'optimal', false);
  estimator.value = bw(3) * 1.2; // still inside the band (below 1.25 ×)
  expectDecision(abr.decide(PLENTY), 3, 'optimal', false);
  estimator.value = bw(3) * ABR_DEFAULTS.downHysteresis; // 409.6k: budget 327.68k → 256k
  expectDecision(abr.decide(PLENTY), 0, 'down', true);
});

test('a low buffer turns a down-switch inside the hysteresis band into an urgent one', () => {
  const { abr, estimator } = setup({}, 3);
  estimator.value = bw(3) * 0.9; // budget 368.64k → 256k
  expectDecision(abr.decide(ABR_DEFAULTS.urgentDownSwitchBufferSec + 0.01), 3, 'optimal', false);
  expectDecision(abr.decide(ABR_DEFAULTS.urgentDownSwitchBufferSec), 0, 'urgent-down', true);
});

test('an urgent down-switch ignores the minimum switch interval', () => {
  const { abr, estimator, clock } = setup({}, 2); // 1024k, switched 4 s ago
  estimator.value = 5_000_000;
  expectDecision(abr.decide(PLENTY), 2, 'optimal', false);
  estimator.value = 200_000;
  expectDecision(abr.decide(ABR_DEFAULTS.urgentDownSwitchBufferSec), LOWEST, 'urgent-down', true);
  clock.advance(1 * SEC);
  // Right after that switch: an up-switch must wait, even with a big buffer.
  estimator.value = 5_000_000;
  expectDecision(abr.decide(PLENTY), LOWEST, 'min-interval', false);
  // A low buffer does not force anything when the estimate fits the current variant.
  expectDecision(abr.decide(0), LOWEST, 'min-interval', false);
});

test('a low buffer inside the interval with a still-fitting estimate is not an urgent switch', () => {
  const { abr, estimator, clock } = setup({}, 3);
  estimator.value = 10_000_000;
  expectDecision(abr.decide(PLENTY), 2, 'up', true);
  clock.advance(SEC);
  estimator.value = bw(2) * 1.25; // exactly fits 1024k
  expectDecision(abr.decide(0), 2, 'min-interval', false);
  estimator.value = bw(2) * 1.25 - 1; // no longer fits: urgent
  expectDecision(abr.decide(0), 3, 'urgent-down', true);
});

test('an estimate below every variant selects the lowest', () => {
  const { abr, estimator } = setup({}, 2);
  estimator.value = 1_000;
  expectDecision(abr.decide(PLENTY), LOWEST, 'down', true);
});

test('a variant that is already the best choice stays, reason optimal', () => {
  const { abr, estimator } = setup({}, 3);
  estimator.value = bw(3) * 1.5; // budget fits 512k, not 1024k
  expectDecision(abr.decide(PLENTY), 3, 'optimal', false);
  expectDecision(abr.decide(0), 3, 'optimal', false);
});

test('replacing the variants without the current one restarts with an initial decision', () => {
  const { abr, estimator } = setup({}, 2);
  abr.setVariants([{ index: 5, bandwidth: 96_000 }, { index: 6, bandwidth: 192_000 }]);
  assert.equal(abr.current, undefined);
  estimator.value = 1_000_000;
  expectDecision(abr.decide(0), 6, 'initial', true);
});

test('cache hits do not raise the estimate, so they never cause an up-switch', () => {
  const clock = new FakeClock();
  const abr = new AbrController(VARIANTS, { startEstimateBps: 0 }, { clock });
  expectDecision(abr.decide(0), LOWEST, 'initial', true);
  for (let i = 0; i < 50; i++) {
    clock.advance(2 * SEC);
    assert.equal(abr.addSample({ bytes: 4_000_000, durationMs: 3, source: 'cache' }), false);
    expectDecision(abr.decide(PLENTY), LOWEST, i < 1 ? 'min-interval' : 'no-estimate', false);
  }
  assert.equal(abr.estimateBps(), undefined);
  // One real download is then enough to adapt.
  assert.equal(abr.addSample({ bytes: 500_000, durationMs: 1000, source: 'network' }), true);
  expectDecision(abr.decide(PLENTY), 2, 'up', true);
});

/**
 * A small player simulation: 2 s segments downloaded one after another (50 ms request latency), a
 * 12 s forward buffer target, playback draining the buffer in real time, the network rate changing
 * in phases. Returns every decision with its time and phase.
 */
function simulate(phases: { bps: number; sec: number }[]) {
  const segSec = 2;
  const targetSec = 12;
  const clock = new FakeClock();
  const abr = new AbrController(VARIANTS, { startEstimateBps: 0 }, { clock });
  const log: { at: number; phase: number; d: AbrDecision }[] = [];
  let buffer = 0;
  phases.forEach(({ bps, sec }, phase) => {
    const end = clock.now() + sec * SEC;
    while (clock.now() < end) {
      if (buffer > targetSec) {
        clock.advance((buffer - targetSec) * SEC);
        buffer = targetSec;
        continue;
      }
      const d = abr.decide(buffer);
      log.push({ at: clock.now(), phase, d });
      const bytes = (bw(d.target) * segSec) / 8;
      const ms = ((bytes * 8) / bps) * SEC + 50;
      clock.advance(ms);
      buffer = Math.max(0, buffer - ms / SEC) + segSec;
      abr.addSample({ bytes, durationMs: ms, source: 'network' });
    }
  });
  return { log, abr };
}

test('a 4 Mbit/s → 150 kbit/s → 2 Mbit/s trace gives a sensible sequence of decisions', () => {
  const { log, abr } = simulate([
    { bps: 4_000_000, sec: 40 },
    { bps: 150_000, sec: 40 },
    { bps: 2_000_000, sec: 120 },
  ]);
  const switches = log.filter((e) => e.d.changed);
  assert.deepEqual(switches[0]?.d, { target: LOWEST, reason: 'initial', changed: true });

  // Phase 0: the top variant is reached within the first 10 s and kept.
  const phase0 = switches.filter((e) => e.phase === 0);
  const top = phase0.find((e) => e.d.target === 2);
  assert.ok(top !== undefined && top.at <= 10 * SEC, `top variant reached at ${top?.at}`);
  assert.equal(phase0.at(-1)?.d.target, 2);

  // Phase 1: the first switch goes down to the lowest variant, and nothing goes up.
  const phase1 = switches.filter((e) => e.phase === 1);
  assert.ok(phase1.length >= 1, 'a down-switch happens after the drop');
  assert.equal(phase1[0]?.d.target, LOWEST);
  assert.ok(phase1[0]?.d.reason === 'urgent-down' || phase1[0]?.d.reason === 'down');
  assert.ok(phase1.every((e) => e.d.reason !== 'up'), 'no up-switch at 150 kbit/s');
  assert.equal(log.filter((e) => e.phase === 1).at(-1)?.d.target, LOWEST);

  // Phase 2: only up-switches, each to a higher variant, ending on the best fit for 2 Mbit/s.
  const phase2 = switches.filter((e) => e.phase === 2);
  assert.ok(phase2.length >= 1);
  assert.ok(phase2.every((e) => e.d.reason === 'up'));
  for (let i = 1; i < phase2.length; i++) {
    assert.ok(bw(phase2[i]!.d.target) > bw(phase2[i - 1]!.d.target), 'up-switches climb');
  }
  const bestFit = Math.max(...VARIANTS.filter((v) => v.bandwidth <= 2_000_000 / ABR_DEFAULTS.safetyFactor).map((v) => v.bandwidth));
  assert.equal(bw(abr.current ?? -1), bestFit);

  // No oscillation, and only urgent switches break the minimum interval.
  assert.ok(switches.length <= 8, `${switches.length} switches`);
  for (let i = 1; i < switches.length; i++) {
    const gap = switches[i]!.at - switches[i - 1]!.at;
    if (switches[i]!.d.reason !== 'urgent-down') assert.ok(gap >= ABR_DEFAULTS.minSwitchIntervalSec * SEC, `gap ${gap}`);
  }
});

test('with segmentSec set, a dip the buffer rides out keeps the variant; a buffer that would run low switches down', () => {
  const { abr, estimator, clock } = setup({}, 2); // on 1024k
  abr.segmentSec = 4;
  clock.advance(60 * SEC);
  estimator.value = 600_000; // below 0.8 × 1024k: a plain down-switch without the buffer check
  // Next segment at 1024k takes 4 × 1024 / 600 = 6.8 s; 25 s buffered leaves 18.2 s > 3 + 4.
  expectDecision(abr.decide(25), 2, 'buffer-covers', false);
  // 12 s buffered leaves 5.2 s, under 7: switch down now, before it becomes urgent.
  expectDecision(abr.decide(12), 0, 'down', true);
});

test('without segmentSec the buffer does not hold back a down-switch', () => {
  const { abr, estimator, clock } = setup({}, 2);
  clock.advance(60 * SEC);
  estimator.value = 600_000;
  expectDecision(abr.decide(25), 0, 'down', true);
});

test('every ABR and buffering default can be overridden, and bad values are refused', () => {
  const abr = new AbrController(VARIANTS, { fastHalfLifeSec: 1, slowHalfLifeSec: 20, minSampleBytes: 0, lookAheadSec: 12, upCatchUpSec: 3, switchCrossfadeMs: 0 });
  assert.equal(abr.options.fastHalfLifeSec, 1);
  assert.equal(abr.options.slowHalfLifeSec, 20);
  assert.equal(abr.options.minSampleBytes, 0);
  assert.equal(abr.options.lookAheadSec, 12);
  assert.equal(abr.options.upCatchUpSec, 3);
  assert.equal(abr.options.switchCrossfadeMs, 0);
  const d = new AbrController(VARIANTS).options;
  assert.deepEqual([d.fastHalfLifeSec, d.slowHalfLifeSec, d.minSampleBytes, d.lookAheadSec, d.upCatchUpSec, d.switchCrossfadeMs], [2, 10, 16_000, 30, 8, 8]);
  assert.throws(() => new AbrController(VARIANTS, { lookAheadSec: 0 }), /options\.abr\.lookAheadSec, when provided, must be a number from 1 to 3600/);
  assert.throws(() => new AbrController(VARIANTS, { switchCrossfadeMs: 500 }), /options\.abr\.switchCrossfadeMs/);
  assert.throws(() => new AbrController(VARIANTS, { fastHalfLifeSec: 0 }), /options\.abr\.fastHalfLifeSec/);
  assert.throws(() => new AbrController(VARIANTS, { minSampleBytes: -1 }), /options\.abr\.minSampleBytes/);
});

test("the controller's own estimator takes the half-lives and noise floor from the options", () => {
  const small = { bytes: 8_000, durationMs: 100, source: 'network' as const };
  // Default noise floor (16000 bytes): a small sample is ignored.
  const byDefault = new AbrController(VARIANTS, {}, { clock: new FakeClock() });
  assert.equal(byDefault.addSample(small), false);
  assert.equal(byDefault.estimateBps(), undefined);
  // minSampleBytes 0: it counts.
  const noFloor = new AbrController(VARIANTS, { minSampleBytes: 0 }, { clock: new FakeClock() });
  assert.equal(noFloor.addSample(small), true);
  assert.equal(noFloor.estimateBps(), 640_000);
  // Half-lives: after a fast drop, a short fast half-life pulls the estimate down further.
  const drop = (o: object): number => {
    const abr = new AbrController(VARIANTS, o, { clock: new FakeClock() });
    abr.addSample({ bytes: 1_000_000, durationMs: 2000, source: 'network' });
    abr.addSample({ bytes: 100_000, durationMs: 2000, source: 'network' });
    return abr.estimateBps() as number;
  };
  assert.ok(drop({ fastHalfLifeSec: 0.5 }) < drop({ fastHalfLifeSec: 5 }), 'fastHalfLifeSec reaches the estimator');
});
