// ProgressiveSource over a resource that already holds bytes (a cached asset): only the gaps are
// fetched, a committed resource needs no request, a failed one is resumed, and sources sharing one
// resource complete together.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressiveSource } from '../../src/file/progressive-source.js';
import { createNet } from '../../src/net/net-options.js';
import { KitharaError } from '../../src/platform/errors.js';
import { MemoryResource } from '../../src/storage/memory-resource.js';
import { patternBytes, serve, type Served } from '../net/net-test-helpers.js';

const T = { timeout: 20_000 };
const fastRetry = { baseDelayMs: 2, maxDelayMs: 10, maxRetryAfterMs: 10 };

let srv: Served;
let file: Uint8Array; // 600 KB

before(async () => {
  srv = await serve();
  file = srv.generate('resume.bin', patternBytes(600_000, 21));
});
after(() => srv.close());

function open(url: string, resource: MemoryResource): ProgressiveSource {
  return new ProgressiveSource(url, { net: createNet({ retry: fastRetry }), retry: fastRetry, resource });
}

async function readAll(src: ProgressiveSource): Promise<Uint8Array> {
  const out = new Uint8Array(src.length ?? 0);
  let pos = 0;
  for (;;) {
    const got = await src.read(pos, 65536);
    if (got.byteLength === 0) break;
    out.set(got, pos);
    pos += got.byteLength;
  }
  assert.equal(pos, out.length);
  return out;
}

describe('ProgressiveSource over a pre-filled resource', () => {
  test('a resource holding a prefix and an island fetches only the missing ranges', T, async () => {
    const path = '/gen/resume.bin?case=gaps';
    const res = new MemoryResource('r1');
    res.writeAt(0, file.subarray(0, 200_000));
    res.writeAt(400_000, file.subarray(400_000, 450_000));
    const src = open(srv.server.url + path, res);
    await src.ready;
    assert.deepEqual(await readAll(src), file);
    await src.finished;
    assert.equal(res.status, 'committed');
    const reqs = srv.server.log.filter((r) => r.path === '/gen/resume.bin' && r.query.case === 'gaps');
    // The first request starts at the first missing byte and stops at the next held one.
    assert.equal(reqs[0]!.range, 'bytes=200000-399999');
    const sent = reqs.reduce((n, r) => n + r.bytesSent, 0);
    assert.equal(sent, file.length - 250_000, 'no held byte was downloaded again');
  });

  test('a committed resource is read with no request at all', T, async () => {
    const res = new MemoryResource('r2');
    res.writeAt(0, file);
    res.commit();
    const src = open(`${srv.server.url}/gen/resume.bin?case=committed`, res);
    await src.ready;
    assert.deepEqual(await readAll(src), file);
    assert.equal(srv.server.log.filter((r) => r.query.case === 'committed').length, 0);
  });

  test('a failed resource is reactivated and resumed from its first missing byte', T, async () => {
    const res = new MemoryResource('r3');
    res.writeAt(0, file.subarray(0, 300_000));
    res.fail(new KitharaError('network', 'an earlier download broke'));
    const src = open(`${srv.server.url}/gen/resume.bin?case=failed`, res);
    assert.equal(res.status, 'active');
    await src.ready;
    assert.deepEqual(await readAll(src), file);
    const reqs = srv.server.log.filter((r) => r.query.case === 'failed');
    assert.equal(reqs[0]!.range, 'bytes=300000-');
  });

  test('abort leaves a shared resource usable: another source on it completes', T, async () => {
    const res = new MemoryResource('r4');
    const a = open(`${srv.server.url}/gen/resume.bin?case=shared&rate=400000`, res);
    const b = open(`${srv.server.url}/gen/resume.bin?case=shared&rate=400000`, res);
    await a.read(0, 1000);
    a.abort();
    await b.ready;
    await assert.rejects(a.read(0, 10), (e: unknown) => e instanceof KitharaError && e.code === 'aborted');
    assert.notEqual(res.status, 'failed');
    assert.deepEqual(await readAll(b), file);
    await b.finished;
    assert.equal(res.status, 'committed');
  });

  test('a source whose resource another source completes reports completion too', T, async () => {
    const res = new MemoryResource('r5');
    let completed = 0;
    const a = open(`${srv.server.url}/gen/resume.bin?case=race`, res);
    const b = new ProgressiveSource(`${srv.server.url}/gen/resume.bin?case=race&latency=300`, {
      net: createNet({ retry: fastRetry }),
      resource: res,
      onComplete: () => completed++,
    });
    await a.finished;
    await b.ready;
    await b.finished;
    assert.equal(res.status, 'committed');
    assert.equal(completed, 1);
  });
});
