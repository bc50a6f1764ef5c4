/**
 * The engine's end of a player's output: a RingWriter over the SharedArrayBuffer ring, or a
 * PortRingWriter over a MessagePort to the worklet when the page is not cross-origin isolated.
 */
import { RingWriter, type PcmWriter } from '../ring/ring-writer.js';
import { PortRingWriter } from '../ring/port-ring.js';
import type { OutputTarget } from './protocol.js';

/** A PcmWriter the session can dispose of. */
export interface PcmSink extends PcmWriter {
  dispose(): void;
}

/** Builds the writer for an output target. */
export function createSink(target: OutputTarget, sampleRate: number): PcmSink {
  if (target.kind === 'sab') {
    const writer = new RingWriter(target.sab, { sampleRate });
    return Object.assign(writer, { dispose: () => undefined });
  }
  const writer = new PortRingWriter(target.port as unknown as MessagePort & { onmessage: ((ev: MessageEvent) => unknown) | null }, {
    channels: target.channels,
    capacity: target.capacityFrames,
    batchFrames: target.batchFrames,
  });
  return Object.assign(writer, {
    dispose: () => {
      writer.close();
      target.port.close();
    },
  });
}
