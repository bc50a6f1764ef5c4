// Test-only AudioWorklet: records its input (interleaved) once armed. With a SharedArrayBuffer
// (cross-origin isolated pages) the recording is shared memory; without one it is kept here and
// sent back on a 'dump' message. meta[0] frames recorded, meta[1] context frame of the first
// non-silent sample (-1 none), meta[2] context frame when armed, meta[3] armed flag.
class Capture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { sab, frames, channels } = options.processorOptions;
    this.frames = frames;
    this.channels = channels;
    if (sab) {
      this.meta = new Int32Array(sab, 0, 16);
      this.data = new Float32Array(sab, 64, frames * channels);
    } else {
      this.meta = new Int32Array(16);
      this.data = new Float32Array(frames * channels);
      this.port.onmessage = (e) => {
        if (e.data === 'arm') this.meta[3] = 1;
        if (e.data === 'dump') this.port.postMessage({ meta: this.meta.slice(), data: this.data.slice(0, this.meta[0] * this.channels) });
      };
    }
    this.meta[1] = -1;
    this.meta[2] = -1;
  }

  process(inputs, outputs) {
    const input = inputs[0];
    const output = outputs[0];
    const n = output[0].length;
    for (let ch = 0; ch < output.length; ch++) {
      const src = input[ch] ?? input[0];
      if (src) output[ch].set(src);
    }
    const meta = this.meta;
    if (Atomics.load(meta, 3) !== 1) return true;
    if (Atomics.load(meta, 2) < 0) Atomics.store(meta, 2, currentFrame);
    let recorded = Atomics.load(meta, 0);
    const chs = this.channels;
    for (let i = 0; i < n && recorded < this.frames; i++, recorded++) {
      let loud = false;
      for (let ch = 0; ch < chs; ch++) {
        const src = input[ch] ?? input[0];
        const v = src ? src[i] : 0;
        this.data[recorded * chs + ch] = v;
        if (v > 1e-4 || v < -1e-4) loud = true;
      }
      if (loud && Atomics.load(meta, 1) < 0) Atomics.store(meta, 1, currentFrame + i);
    }
    Atomics.store(meta, 0, recorded);
    return true;
  }
}
registerProcessor('kithara-capture', Capture);
