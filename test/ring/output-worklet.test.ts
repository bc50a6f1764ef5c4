import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { createRing } from '../../src/ring/spsc-ring.js';
import { RingWriter } from '../../src/ring/ring-writer.js';
import { PortRingWriter } from '../../src/ring/port-ring.js';
import { PortOutputControl, SabOutputControl } from '../../src/ring/output-control.js';
import type { MessagePortLike, OutputNotice, OutputProcessorOptions } from '../../src/ring/protocol.js';
import { outputs, sentinel, sentinelPlanes } from './helpers.js';

// A minimal AudioWorkletGlobalScope, enough to load worklets/output.worklet.ts in Node.
type ProcessorCtor = new (options: { processorOptions: OutputProcessorOptions }) => {
  process(inputs: Float32Array[][], outputs: Float32Array[][], params: Record<string, Float32Array>): boolean;
};
const registered = new Map<string, ProcessorCtor>();
let nextPort: MessagePort | undefined;
const scope = globalThis as Record<string, unknown>;
scope.AudioWorkletProcessor = class {
  readonly port: MessagePort;
  constructor() {
    assert.ok(nextPort, 'test must provide the processor port');
    this.port = nextPort;
    nextPort = undefined;
  }
};
scope.registerProcessor = (name: string, ctor: ProcessorCtor) => registered.set(name, ctor);
scope.currentFrame = 0;
scope.sampleRate = 48000;
await import('../../worklets/output.worklet.js');

const asPort = (p: MessagePort): MessagePortLike => p as unknown as MessagePortLike;

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = performance.now() + 5000;
  while (!cond()) {
    assert.ok(performance.now() < end, `timed out waiting for ${what}`);
    await new Promise((res) => setImmediate(res));
  }
}

/** Instantiates the registered processor the way the browser would, with a real port pair. */
function instantiate(t: { after(fn: () => void): void }, processorOptions: OutputProcessorOptions) {
  const ctor = registered.get('kithara-output');
  assert.ok(ctor, 'the worklet registers kithara-output');
  const { port1, port2 } = new MessageChannel();
  nextPort = port2;
  const node = new ctor({ processorOptions });
  t.after(() => {
    port1.close();
    port2.close();
  });
  const out = outputs(2);
  let frame = 0;
  /** One render quantum through the worklet's own process(). */
  const quantum = (): boolean => {
    scope.currentFrame = frame;
    const alive = node.process([], [out], {});
    frame += 128;
    return alive;
  };
  return { mainPort: port1, out, quantum, frame: () => frame };
}

test('the worklet module registers kithara-output and renders a SAB ring sample-exactly', async (t) => {
  const sab = createRing(2, 2048);
  const writer = new RingWriter(sab);
  const w = instantiate(t, { mode: 'sab', sab });
  const control = new SabOutputControl(sab, asPort(w.mainPort));
  const notices: OutputNotice[] = [];
  control.onnotice = (n) => notices.push(n);
  writer.write(sentinelPlanes(2, 0, 1000), 1000);
  writer.setEnded();
  control.setPlaying(true);
  let read = 0;
  for (let q = 0; q < 9; q++) {
    assert.equal(w.quantum(), true);
    const n = Math.min(128, 1000 - read);
    for (let i = 0; i < n; i++) assert.equal(w.out[1]![i], sentinel(read + i, 1));
    for (let i = n; i < 128; i++) assert.equal(w.out[0]![i], 0);
    read += n;
  }
  await until(() => notices.length === 2, 'notices');
  assert.deepEqual(notices.map((n) => [n.kind, n.contextFrame]), [['playing', 0], ['ended', 1000]]);
  assert.equal(control.stats().epochFrames, 1000);
  control.dispose();
  await until(() => !w.quantum(), 'dispose');
});

test('port mode end to end: worker writer → data channel → worklet → exact samples, stats and notices on the main port', async (t) => {
  const w = instantiate(t, { mode: 'port', channels: 2, capacity: 4096, batchFrames: 512, statsIntervalQuanta: 4 });
  const control = new PortOutputControl(asPort(w.mainPort));
  const notices: OutputNotice[] = [];
  control.onnotice = (n) => notices.push(n);
  const data = new MessageChannel();
  t.after(() => {
    data.port1.close();
    data.port2.close();
  });
  const writer = new PortRingWriter(asPort(data.port1), { channels: 2, capacity: 4096, batchFrames: 512 });
  t.after(() => writer.close());
  control.connect(data.port2 as unknown as globalThis.MessagePort);
  control.setPlaying(true);
  const total = 20_000;
  let written = 0;
  let played = 0;
  while (played < total) {
    if (written < total) {
      written += writer.write(sentinelPlanes(2, written, Math.min(1500, total - written)), Math.min(1500, total - written));
      if (written === total) writer.setEnded();
    }
    await new Promise((res) => setImmediate(res));
    for (let q = 0; q < 4 && played < total; q++) {
      w.quantum();
      // Count the real frames: channel 1's sentinel is never 0, so it tells frames from silence.
      for (let i = 0; i < 128 && played < total; i++) {
        if (w.out[1]![i] === 0) {
          // Silence is allowed only before the first frame or while starved, and then to the end of the quantum.
          for (let j = i; j < 128; j++) assert.equal(w.out[1]![j], 0, 'silence runs to the end of the quantum');
          break;
        }
        assert.equal(w.out[1]![i], sentinel(played, 1), `frame ${played}`);
        assert.equal(w.out[0]![i], sentinel(played, 0), `frame ${played}`);
        played++;
      }
    }
  }
  w.quantum();
  await until(() => notices.some((n) => n.kind === 'ended'), 'ended notice');
  await until(() => control.stats().ended, 'final stats');
  const s = control.stats();
  assert.equal(s.epochFrames, total);
  assert.equal(notices[0]!.kind, 'playing');
});
