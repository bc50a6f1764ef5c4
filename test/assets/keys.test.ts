import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assetKey, canonicalUrl, isAssetKey, memoizeKeyFn } from '../../src/assets/keys.js';
import { KitharaError } from '../../src/platform/errors.js';

test('scheme and host are lowercased, the default port and the fragment are dropped', () => {
  assert.equal(canonicalUrl('HTTPS://Example.COM:443/a/b.mp3#t=10'), 'https://example.com/a/b.mp3');
  assert.equal(canonicalUrl('http://example.com:80/x'), 'http://example.com/x');
  assert.equal(canonicalUrl('http://example.com:8080/x'), 'http://example.com:8080/x');
  assert.equal(canonicalUrl('https://example.com/a/./c/../b.mp3'), 'https://example.com/a/b.mp3');
});

test('the query is kept in its order, and named parameters can be dropped', () => {
  assert.equal(canonicalUrl('https://cdn.test/t.mp3?b=2&a=1'), 'https://cdn.test/t.mp3?b=2&a=1');
  assert.notEqual(canonicalUrl('https://cdn.test/t.mp3?id=1'), canonicalUrl('https://cdn.test/t.mp3?id=2'));
  const opts = { dropQueryParams: ['token', 'Expires'] };
  assert.equal(canonicalUrl('https://cdn.test/t.mp3?id=7&token=abc&Expires=99#x', opts), 'https://cdn.test/t.mp3?id=7');
  assert.equal(canonicalUrl('https://cdn.test/t.mp3?token=abc', opts), 'https://cdn.test/t.mp3');
  assert.equal(canonicalUrl('https://cdn.test/t.mp3?id=7&tok%65n=x', opts), 'https://cdn.test/t.mp3?id=7', 'names are compared decoded');
  assert.equal(canonicalUrl('https://cdn.test/t.mp3?id=7', { ignoreQuery: true }), 'https://cdn.test/t.mp3');
});

test('percent-escapes compare case-insensitively', () => {
  assert.equal(canonicalUrl('https://a.test/%7ex%2f?q=%2f'), canonicalUrl('https://a.test/%7Ex%2F?q=%2F'));
});

test('keys are 32 hex digits, equal for equivalent URLs and different otherwise', async () => {
  const k1 = await assetKey('HTTPS://A.test:443/song.mp3#frag');
  const k2 = await assetKey('https://a.test/song.mp3');
  const k3 = await assetKey('https://a.test/song2.mp3');
  assert.ok(isAssetKey(k1));
  assert.equal(k1, k2);
  assert.notEqual(k1, k3);
  const signedA = await assetKey('https://a.test/s.mp3?sig=1', { dropQueryParams: ['sig'] });
  const signedB = await assetKey('https://a.test/s.mp3?sig=2', { dropQueryParams: ['sig'] });
  assert.equal(signedA, signedB);
});

test('a key function replaces the URL mapping; byte ranges get their own keys', async () => {
  const keyFn = (url: string) => new URL(url).pathname;
  assert.equal(await assetKey('https://a.test/x.mp3?t=1', { keyFn }), await assetKey('https://b.test/x.mp3?t=2', { keyFn }));
  const whole = await assetKey('https://a.test/seg.ts');
  const r1 = await assetKey('https://a.test/seg.ts', {}, { offset: 0, length: 1000 });
  const r2 = await assetKey('https://a.test/seg.ts', {}, { offset: 1000, length: 1000 });
  assert.equal(new Set([whole, r1, r2]).size, 3);
  assert.equal(r1, await assetKey('https://a.test/seg.ts#x', {}, { offset: 0, length: 1000 }));
});

test('a relative URL is a parse error', () => {
  assert.throws(() => canonicalUrl('/relative.mp3'), (e: unknown) => e instanceof KitharaError && e.code === 'parse');
});

test('an asynchronous key function is awaited: signed URLs of one file share a key', async () => {
  const keyFn = async (url: string): Promise<string> => {
    const u = new URL(url);
    u.searchParams.delete('token');
    return u.href;
  };
  const a = await assetKey('https://cdn.test/t.flac?token=a', { keyFn });
  const b = await assetKey('https://cdn.test/t.flac?token=b', { keyFn });
  assert.equal(a, b);
  assert.notEqual(a, await assetKey('https://cdn.test/u.flac?token=a', { keyFn }));
  assert.notEqual(a, await assetKey('https://cdn.test/t.flac?token=a', { keyFn }, { offset: 0, length: 10 }), 'a range still gets its own key');
  await assert.rejects(assetKey('https://cdn.test/t.flac', { keyFn: async () => '' }), /options\.keyFn, when provided, must return a non-empty string/);
});

test('a memoized key function is asked once per URL, shares concurrent calls, and forgets failures', async () => {
  const asked: string[] = [];
  let fail = true;
  const fn = async (url: string): Promise<string> => {
    asked.push(url);
    await new Promise((r) => setTimeout(r, 1));
    if (url.endsWith('/bad') && fail) throw new Error('no key');
    return url.toUpperCase();
  };
  const memo = memoizeKeyFn(fn, 2);
  const [x, y] = await Promise.all([memo('https://a.test/1'), memo('https://a.test/1')]);
  assert.equal(x, 'HTTPS://A.TEST/1');
  assert.equal(y, x);
  assert.equal(await memo('https://a.test/1'), x);
  assert.deepEqual(asked, ['https://a.test/1'], 'one call for one URL');
  await assert.rejects(memo('https://a.test/bad'), /no key/);
  fail = false;
  assert.equal(await memo('https://a.test/bad'), 'HTTPS://A.TEST/BAD', 'a failure is not kept');
  // Capacity 2: /1 and /bad are held; /2 pushes out the least recently used (/1).
  await memo('https://a.test/2');
  asked.length = 0;
  await memo('https://a.test/bad');
  await memo('https://a.test/1');
  assert.deepEqual(asked, ['https://a.test/1']);
  await assert.rejects(memoizeKeyFn(async () => 7 as unknown as string, 4)('https://a.test/x'), /must return a non-empty string/);
});
