/**
 * Warms the platform's media stack when the engine starts: the first `isConfigSupported` and
 * decoder of a fresh worker pay for loading codec libraries in the browser, which would
 * otherwise land on the first `play()`. Fire-and-forget; failures are ignored.
 */

/** Configs asked about at start-up: the common codecs at the common rate. */
const WARM_CONFIGS: AudioDecoderConfig[] = [
  { codec: 'mp4a.40.2', sampleRate: 44100, numberOfChannels: 2 },
  { codec: 'mp3', sampleRate: 44100, numberOfChannels: 2 },
  { codec: 'flac', sampleRate: 44100, numberOfChannels: 2 },
  { codec: 'opus', sampleRate: 48000, numberOfChannels: 2 },
];

/** Starts the warm-up; returns at once. */
export function warmUpDecoders(): void {
  if (typeof AudioDecoder === 'undefined') return;
  for (const config of WARM_CONFIGS) {
    AudioDecoder.isConfigSupported(config).then(
      (res) => {
        if (res.supported !== true || config.codec !== 'mp4a.40.2') return;
        // Instantiate one decoder too: configure() loads the codec itself.
        const d = new AudioDecoder({ output: (a) => a.close(), error: () => undefined });
        d.configure(config);
        setTimeout(() => d.state !== 'closed' && d.close(), 1000);
      },
      () => undefined,
    );
  }
}
