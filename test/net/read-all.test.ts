import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAll } from '../../src/net/net.js';

/** A body that yields `chunks`, then stays open until `close()` (the network's last hop). */
function body(chunks: Uint8Array[]): { stream: ReadableStream<Uint8Array>; close: () => void; closed: () => boolean } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let isClosed = false;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      for (const chunk of chunks) c.enqueue(chunk);
    },
  });
  return { stream, close: () => { isClosed = true; controller.close(); }, closed: () => isClosed };
}

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 255);

test('readAll with the promised length resolves once those bytes are in, before the stream ends', async () => {
  const a = bytes(100, 1);
  const b = bytes(60, 2);
  const src = body([a, b]);
  const out = await readAll(src.stream, undefined, 160);
  assert.equal(src.closed(), false, 'resolved before the end of the stream');
  assert.deepEqual(out, Uint8Array.from([...a, ...b]));
  src.close(); // the background drain takes the end
});

test('readAll reads to the end when the body passes the promised length (hidden content encoding)', async () => {
  const a = bytes(100, 3);
  const b = bytes(100, 4);
  const src = body([a, b]);
  let settled = false;
  const reading = readAll(src.stream, undefined, 150).then((r) => {
    settled = true;
    return r;
  });
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(settled, false, 'waits for the end: the length counted encoded bytes');
  src.close();
  assert.deepEqual(await reading, Uint8Array.from([...a, ...b]));
});

test('readAll without a promised length reads to the end', async () => {
  const a = bytes(10, 6);
  const src = body([a]);
  let settled = false;
  const reading = readAll(src.stream).then((r) => ((settled = true), r));
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(settled, false);
  src.close();
  assert.deepEqual(await reading, a);
});
