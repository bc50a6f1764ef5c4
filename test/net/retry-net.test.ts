import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryNet, backoffDelay, type RetryPolicy } from '../../src/net/retry-net.js';
import { createNet } from '../../src/net/net-options.js';
import { httpError } from '../../src/net/net-errors.js';
import { FakeClock } from '../../src/platform/clock.js';
import { KitharaError } from '../../src/platform/errors.js';
import { ScriptedNet } from './fake-net.js';
import { advance, drain, patternBytes, serve, settled, type Served } from './net-test-helpers.js';

const policy: RetryPolicy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 2000 };
const ok = { chunks: [new Uint8Array([1, 2, 3])] };
const isCode = (code: string, status?: number) => (e: unknown) =>
  e instanceof KitharaError && e.code === code && (status === undefined || e.status === status);

let srv: Served;
let data: Uint8Array;
before(async () => {
  srv = await serve();
  data = srv.generate('r.bin', patternBytes(20_000, 5));
});
after(() => srv.close());

test('full jitter stays under a doubling ceiling capped at maxDelayMs', () => {
  assert.equal(backoffDelay(policy, 0, () => 0.999), 99);
  assert.equal(backoffDelay(policy, 2, () => 0.5), 200);
  assert.equal(backoffDelay(policy, 10, () => 0.5), 500);
  assert.equal(backoffDelay(policy, 3, () => 0), 0);
});

test('503s are retried after the backoff delays, then the answer comes through', async () => {
  const clock = new FakeClock();
  const inner = new ScriptedNet([{ error: httpError(503, 'u') }, { error: httpError(503, 'u') }, ok]);
  const net = new RetryNet(inner, policy, { clock, random: () => 0.5 });
  const p = net.get('u');
  await advance(clock, 0);
  assert.equal(inner.calls, 1);
  await advance(clock, 49); // first delay: 0.5 * 100
  assert.equal(inner.calls, 1);
  await advance(clock, 1);
  assert.equal(inner.calls, 2);
  await advance(clock, 99); // second delay: 0.5 * 200
  assert.equal(inner.calls, 2);
  await advance(clock, 1);
  const res = await p;
  assert.equal(inner.calls, 3);
  assert.deepEqual(await drain(res.body), new Uint8Array([1, 2, 3]));
});

test('a 404 is never retried', async () => {
  const clock = new FakeClock();
  const inner = new ScriptedNet([{ error: httpError(404, 'u') }, ok]);
  await assert.rejects(new RetryNet(inner, policy, { clock }).get('u'), isCode('http', 404));
  assert.equal(inner.calls, 1);
});

test('network errors and timeouts are retried until the policy is exhausted', async () => {
  const clock = new FakeClock();
  const inner = new ScriptedNet([{ error: new KitharaError('timeout', 't') }, { error: new KitharaError('network', 'n') }]);
  const p = new RetryNet(inner, policy, { clock, random: () => 1 - 1e-9 }).get('u');
  const rejected = assert.rejects(p, isCode('network'));
  await advance(clock, 5000, 50);
  await rejected;
  assert.equal(inner.calls, policy.maxRetries + 1);
});

test('Retry-After seconds are honoured and capped by maxRetryAfterMs', async () => {
  const clock = new FakeClock();
  const inner = new ScriptedNet([{ error: httpError(429, 'u', '1') }, { error: httpError(503, 'u', '3600') }, ok]);
  const p = new RetryNet(inner, policy, { clock, random: () => 0 }).get('u');
  await advance(clock, 999);
  assert.equal(inner.calls, 1);
  await advance(clock, 1);
  assert.equal(inner.calls, 2);
  await advance(clock, 1999);
  assert.equal(inner.calls, 2);
  await advance(clock, 1);
  await p;
  assert.equal(inner.calls, 3);
});

test('Retry-After HTTP dates are measured against the injected wall clock', async () => {
  const clock = new FakeClock();
  const now = Date.UTC(2024, 5, 1, 0, 0, 0);
  const inner = new ScriptedNet([{ error: httpError(503, 'u', new Date(now + 700).toUTCString()) }, ok]);
  const net = new RetryNet(inner, policy, { clock, wallNow: () => now });
  // HTTP dates have whole seconds: 700 ms ahead rounds down to the same second, so 0 ms.
  const p = net.get('u');
  await advance(clock, 0);
  await p;
  assert.equal(inner.calls, 2);
  const later = new ScriptedNet([{ error: httpError(503, 'u', new Date(now + 1500).toUTCString()) }, ok]);
  const q = new RetryNet(later, policy, { clock, wallNow: () => now }).get('u');
  await advance(clock, 999);
  assert.equal(later.calls, 1);
  await advance(clock, 1);
  await q;
});

test('aborting during a backoff sleep rejects with aborted and stops retrying', async () => {
  const clock = new FakeClock();
  const ctl = new AbortController();
  const inner = new ScriptedNet([{ error: httpError(500, 'u') }, ok]);
  const p = new RetryNet(inner, policy, { clock, random: () => 0.9 }).get('u', { signal: ctl.signal });
  const rejected = assert.rejects(p, isCode('aborted'));
  await advance(clock, 10);
  ctl.abort();
  await rejected;
  await advance(clock, 5000);
  assert.equal(inner.calls, 1);
});

test('the composed stack recovers from real 503s and a real 429 with Retry-After', async () => {
  const net = createNet({ retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 30 } });
  const url = srv.url('/gen/r.bin', { fail: '503:2' });
  assert.deepEqual(await net.getBytes(url), data);
  assert.deepEqual(srv.requests('/gen/r.bin').filter((r) => r.query.fail === '503:2').map((r) => r.status), [503, 503, 200]);
  const url429 = srv.url('/gen/r.bin', { fail: '429:1', retryAfter: 1 });
  const started = performance.now();
  assert.deepEqual(await net.getBytes(url429), data);
  assert.ok(performance.now() - started < 900, 'Retry-After of 1 s is capped at 30 ms');
});

test('the composed stack gives up on a real 404 at once with status and url', async () => {
  const url = srv.url('/gen/r.bin', { status: 404 });
  const before = srv.server.log.length;
  await assert.rejects(createNet().get(url), (e: unknown) => isCode('http', 404)(e) && (e as KitharaError).url === url);
  assert.equal(srv.server.log.length - before, 1);
});

test('invalid options are rejected with the standard wording', () => {
  assert.throws(() => createNet({ connectTimeoutMs: -1 }), /options\.net\.connectTimeoutMs, when provided, must be/);
  assert.throws(() => createNet({ retry: { maxRetries: 1.5 } }), /maxRetries, when provided, must be/);
  assert.throws(() => createNet({ credentials: 'x' as RequestCredentials }), /credentials, when provided/);
});
