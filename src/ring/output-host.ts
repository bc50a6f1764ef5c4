/**
 * Assembles an {@link OutputProcessor} from the node's `processorOptions` and its port, and
 * handles the main thread's commands. `worklets/output.worklet.ts` is a thin wrapper around it,
 * so Node tests drive exactly the code the browser runs.
 *
 * Runs on the audio thread. Construction and the message handler may allocate; `process()` does not
 * (see output-processor.ts).
 */
import { assert } from '../platform/errors.js';
import { Ctl, ringViews } from './spsc-ring.js';
import { RingReader } from './ring-reader.js';
import { PortRingReader } from './port-queue.js';
import { LocalPlayState, OutputProcessor, SharedPlayState } from './output-processor.js';
import { PortOutputSink, SabOutputSink } from './output-stats.js';
import type { MainToWorklet, MessagePortLike, OutputProcessorOptions } from './protocol.js';

/** The worklet side of one Player's output. */
export class OutputHost {
  /** The processor `process()` delegates to. */
  readonly processor: OutputProcessor;
  private readonly portReader: PortRingReader | null;
  private readonly localPlay: LocalPlayState | null;

  /**
   * @param options the node's `processorOptions`
   * @param port the processor's own port (`AudioWorkletProcessor.port`): commands in, notices out
   */
  constructor(options: OutputProcessorOptions, port: MessagePortLike) {
    if (options.mode === 'sab') {
      const reader = new RingReader(options.sab);
      this.portReader = null;
      this.localPlay = null;
      const play = new SharedPlayState(ringViews(options.sab).ctl, Ctl.PLAYING);
      this.processor = new OutputProcessor(reader, play, new SabOutputSink(options.sab, port), options.startThresholdFrames);
    } else {
      assert(options.mode === 'port', 'OutputHost: processorOptions.mode must be "sab" or "port"');
      this.portReader = new PortRingReader(options.channels, options.capacity, options.batchFrames);
      this.localPlay = new LocalPlayState();
      this.processor = new OutputProcessor(this.portReader, this.localPlay, new PortOutputSink(port, options.statsIntervalQuanta), options.startThresholdFrames);
    }
    port.onmessage = (ev: MessageEvent): void => this.handleCommand(ev.data as MainToWorklet);
  }

  /** Handles one command from the main thread. */
  handleCommand(cmd: MainToWorklet): void {
    switch (cmd.type) {
      case 'connect':
        this.portReader?.attach(cmd.port as unknown as MessagePortLike);
        return;
      case 'play':
      case 'pause':
        if (this.localPlay !== null) this.localPlay.playing = cmd.type === 'play';
        return;
      case 'dispose':
        this.processor.dispose();
        return;
    }
  }

  /** Renders one quantum; see {@link OutputProcessor.process}. */
  process(outputs: readonly Float32Array[], contextFrame: number): boolean {
    return this.processor.process(outputs, contextFrame);
  }
}
