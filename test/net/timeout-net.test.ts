import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TimeoutNet } from '../../src/net/timeout-net.js';
import { FetchNet } from '../../src/net/fetch-net.js';
import { FakeClock, realClock } from '../../src/platform/clock.js';
import { KitharaError } from '../../src/platform/errors.js';
import { ScriptedNet } from './fake-net.js';
import { advance, patternBytes, serve, settled, type Served } from './net-test-helpers.js';

const policy = { connectTimeoutMs: 1000, inactivityTimeoutMs: 500 };
const isCode = (code: string) => (e: unknown) => e instanceof KitharaError && e.code === code;

let srv: Served;
before(async () => {
  srv = await serve();
  srv.generate('t.bin', patternBytes(100_000, 3));
});
after(() => srv.close());

test('no response headers within the connect timeout fails with timeout and aborts the request', async () => {
  const clock = new FakeClock();
  const inner = new ScriptedNet(['hang']);
  const p = new TimeoutNet(inner, policy, clock).get('http://x/a');
  await advance(clock, 999);
  assert.equal(await settled(p), 'pending');
  await advance(clock, 1);
  await assert.rejects(p, isCode('timeout'));
  assert.equal(inner.signals[0]!.aborted, true);
});

test('a body that goes silent while being read fails with timeout', async () => {
  const clock = new FakeClock();
  const inner = new ScriptedNet([{ chunks: [new Uint8Array(4)], hangAfter: true }]);
  const res = await new TimeoutNet(inner, policy, clock).get('http://x/a');
  const reader = res.body.getReader();
  assert.equal((await reader.read()).value?.byteLength, 4);
  const next = reader.read();
  await advance(clock, 499);
  assert.equal(await settled(next), 'pending');
  await advance(clock, 1);
  await assert.rejects(next, isCode('timeout'));
});

test('a body nobody reads never times out (backpressure is not silence)', async () => {
  const clock = new FakeClock();
  const inner = new ScriptedNet([{ chunks: [new Uint8Array(4), new Uint8Array(5)] }]);
  const res = await new TimeoutNet(inner, policy, clock).get('http://x/a');
  await advance(clock, 60_000, 1000);
  assert.equal(clock.pending, 0);
  const reader = res.body.getReader();
  assert.equal((await reader.read()).value?.byteLength, 4);
  assert.equal((await reader.read()).value?.byteLength, 5);
  assert.equal((await reader.read()).done, true);
});

test('the caller aborting gives aborted, not timeout', async () => {
  const clock = new FakeClock();
  const ctl = new AbortController();
  const p = new TimeoutNet(new ScriptedNet(['hang']), policy, clock).get('http://x/a', { signal: ctl.signal });
  ctl.abort();
  await assert.rejects(p, isCode('aborted'));
});

test('a real stalled server response times out after the inactivity limit', async () => {
  const net = new TimeoutNet(new FetchNet(), { connectTimeoutMs: 2000, inactivityTimeoutMs: 150 }, realClock);
  const res = await net.get(srv.url('/gen/t.bin', { stall: 10_000 }));
  const reader = res.body.getReader();
  let got = 0;
  const started = performance.now();
  await assert.rejects(async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      got += value.byteLength;
    }
  }, isCode('timeout'));
  assert.equal(got, 10_000);
  assert.ok(performance.now() - started < 2000);
});

test('a real server slower than the connect timeout fails with timeout', async () => {
  const net = new TimeoutNet(new FetchNet(), { connectTimeoutMs: 100, inactivityTimeoutMs: 1000 }, realClock);
  await assert.rejects(net.get(srv.url('/gen/t.bin', { latency: 1000 })), isCode('timeout'));
});
