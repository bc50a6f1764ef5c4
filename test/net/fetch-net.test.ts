import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { FetchNet } from '../../src/net/fetch-net.js';
import { KitharaError } from '../../src/platform/errors.js';
import { drain, patternBytes, serve, type Served } from './net-test-helpers.js';

let srv: Served;
let data: Uint8Array;
const net = new FetchNet();

before(async () => {
  srv = await serve();
  data = srv.generate('data.bin', patternBytes(300_000, 7));
});
after(() => srv.close());

const isCode = (code: string, status?: number) => (e: unknown) =>
  e instanceof KitharaError && e.code === code && (status === undefined || e.status === status);

test('a ranged GET reports its start, the total size and the exact bytes', async () => {
  const res = await net.get(srv.url('/gen/data.bin'), { range: { start: 1000, end: 5000 } });
  assert.equal(res.status, 206);
  assert.equal(res.rangeStart, 1000);
  assert.equal(res.totalLength, data.length);
  assert.equal(res.bodyLength, 4000);
  assert.deepEqual(await drain(res.body), data.subarray(1000, 5000));
  const log = srv.requests('/gen/data.bin').at(-1)!;
  assert.equal(log.range, 'bytes=1000-4999');
});

test('a server that ignores Range answers from offset 0 with the whole body', async () => {
  const res = await net.get(srv.url('/gen/data.bin', { ignoreRange: 1 }), { range: { start: 1000 } });
  assert.equal(res.status, 200);
  assert.equal(res.rangeStart, 0);
  assert.equal(res.totalLength, data.length);
  assert.deepEqual(await drain(res.body), data);
});

test('without Content-Length the total still comes from Content-Range', async () => {
  const res = await net.get(srv.url('/gen/data.bin', { noLength: 1 }), { range: { start: 0 } });
  assert.equal(res.totalLength, data.length);
  const plain = await net.get(srv.url('/gen/data.bin', { noLength: 1 }));
  assert.equal(plain.totalLength, undefined);
  assert.deepEqual(await drain(plain.body), data);
  await drain(res.body);
});

test('HTTP errors reject with code http, the status and the url', async () => {
  const url = srv.url('/gen/data.bin', { status: 404 });
  await assert.rejects(net.get(url), (e: unknown) => isCode('http', 404)(e) && (e as KitharaError).url === url);
  await assert.rejects(net.get(srv.url('/gen/missing.bin')), isCode('http', 404));
});

test('a refused connection rejects with code network', async () => {
  const closed = await serve();
  const url = closed.url('/x');
  await closed.close();
  await assert.rejects(net.get(url), isCode('network'));
});

test('a body cut mid-stream errors with code network', async () => {
  const res = await net.get(srv.url('/gen/data.bin', { drop: 50_000 }));
  await assert.rejects(drain(res.body), isCode('network'));
});

test('aborting mid-body errors the body with code aborted', async () => {
  const ctl = new AbortController();
  const res = await net.get(srv.url('/gen/data.bin', { rate: 100_000 }), { signal: ctl.signal });
  const reader = res.body.getReader();
  await reader.read();
  ctl.abort();
  await assert.rejects(reader.read(), isCode('aborted'));
});

test('HEAD reports size and range support; getBytes returns the whole body', async () => {
  const head = await net.head(srv.url('/gen/data.bin'));
  assert.equal(head.totalLength, data.length);
  assert.equal(head.acceptsRanges, true);
  assert.deepEqual(await net.getBytes(srv.url('/gen/data.bin')), data);
});

test('net-wide and per-request headers and credentials reach fetch', async () => {
  const seen: RequestInit[] = [];
  const fakeFetch: typeof fetch = (input, init) => {
    seen.push(init ?? {});
    return fetch(input, init);
  };
  const custom = new FetchNet({ headers: { 'X-A': '1' }, credentials: 'include', fetch: fakeFetch });
  const res = await custom.get(srv.url('/gen/data.bin'), { headers: { 'X-B': '2' }, range: { start: 10, end: 20 } });
  await drain(res.body);
  const h = new Headers(seen[0]!.headers);
  assert.equal(h.get('x-a'), '1');
  assert.equal(h.get('x-b'), '2');
  assert.equal(h.get('range'), 'bytes=10-19');
  assert.equal(seen[0]!.credentials, 'include');
});
