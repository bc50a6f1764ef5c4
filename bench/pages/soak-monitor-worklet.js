// Bench-only AudioWorklet: passes its input through and counts dropouts. Real-time code: one
// producer (this processor) and one reader (the main thread); only Atomics.load/store on the
// shared arrays; nothing is allocated in process().
// meta[0] armed flag, meta[1] quanta rendered since the first sound, meta[2] silent quanta after
// the first sound, meta[3] silent runs started, meta[4] context frame of the first sound.
// runs[2k] context frame where silent run k began, runs[2k+1] its length in quanta (first 4096).
const SILENT = 1e-6;

class SoakMonitor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { sab } = options.processorOptions;
    this.meta = new Int32Array(sab, 0, 16);
    this.runs = new Int32Array(sab, 64, 4096 * 2);
    this.heard = false;
    this.inRun = false;
    Atomics.store(this.meta, 4, -1);
  }

  process(inputs, outputs) {
    const input = inputs[0];
    const output = outputs[0];
    let loud = false;
    for (let ch = 0; ch < output.length; ch++) {
      const src = input[ch] ?? input[0];
      if (src === undefined) continue;
      output[ch].set(src);
      for (let i = 0; i < src.length; i++) {
        if (src[i] > SILENT || src[i] < -SILENT) {
          loud = true;
          break;
        }
      }
    }
    if (Atomics.load(this.meta, 0) !== 1) return true;
    if (!this.heard) {
      if (!loud) return true;
      this.heard = true;
      Atomics.store(this.meta, 4, currentFrame);
    }
    Atomics.store(this.meta, 1, Atomics.load(this.meta, 1) + 1);
    if (loud) {
      this.inRun = false;
      return true;
    }
    Atomics.store(this.meta, 2, Atomics.load(this.meta, 2) + 1);
    const k = Atomics.load(this.meta, 3);
    if (!this.inRun) {
      this.inRun = true;
      if (k < 4096) {
        Atomics.store(this.runs, k * 2, currentFrame);
        Atomics.store(this.runs, k * 2 + 1, 1);
      }
      Atomics.store(this.meta, 3, k + 1);
    } else if (k - 1 < 4096) {
      Atomics.store(this.runs, (k - 1) * 2 + 1, Atomics.load(this.runs, (k - 1) * 2 + 1) + 1);
    }
    return true;
  }
}
registerProcessor('bench-soak-monitor', SoakMonitor);
