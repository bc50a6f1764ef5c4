import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseContentLength, parseContentRange, parseRetryAfter, rangeHeader } from '../../src/net/http-headers.js';
import { isRetryable, httpError } from '../../src/net/net-errors.js';
import { KitharaError } from '../../src/platform/errors.js';

test('range headers use inclusive last byte and open ends', () => {
  assert.equal(rangeHeader({ start: 0 }), 'bytes=0-');
  assert.equal(rangeHeader({ start: 100, end: 200 }), 'bytes=100-199');
  assert.throws(() => rangeHeader({ start: 5, end: 5 }), RangeError);
  assert.throws(() => rangeHeader({ start: -1 }), RangeError);
});

test('Content-Range parses into an exclusive end and an optional total', () => {
  assert.deepEqual(parseContentRange('bytes 0-99/1000'), { start: 0, end: 100, total: 1000 });
  assert.deepEqual(parseContentRange('bytes 500-999/*'), { start: 500, end: 1000, total: undefined });
  assert.equal(parseContentRange('bytes */1000'), null);
  assert.equal(parseContentRange('bytes 10-5/100'), null);
  assert.equal(parseContentRange('bytes 0-100/100'), null);
  assert.equal(parseContentRange(null), null);
});

test('Content-Length accepts only plain integers', () => {
  assert.equal(parseContentLength('1234'), 1234);
  assert.equal(parseContentLength(' 7 '), 7);
  assert.equal(parseContentLength('12abc'), undefined);
  assert.equal(parseContentLength(null), undefined);
});

test('Retry-After reads delta seconds and HTTP dates', () => {
  const now = Date.UTC(2024, 0, 1, 12, 0, 0);
  assert.equal(parseRetryAfter('3', now), 3000);
  assert.equal(parseRetryAfter('Mon, 01 Jan 2024 12:00:05 GMT', now), 5000);
  assert.equal(parseRetryAfter('Mon, 01 Jan 2024 11:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test('only network, timeout, 408, 429 and 5xx failures are retryable', () => {
  assert.equal(isRetryable(new KitharaError('network', 'x')), true);
  assert.equal(isRetryable(new KitharaError('timeout', 'x')), true);
  assert.equal(isRetryable(new KitharaError('aborted', 'x')), false);
  for (const s of [408, 429, 500, 503, 599]) assert.equal(isRetryable(httpError(s, 'u')), true, String(s));
  for (const s of [400, 401, 403, 404, 410, 416]) assert.equal(isRetryable(httpError(s, 'u')), false, String(s));
});
