// Simulates a browser whose WebCodecs is missing or limited, inside the engine worker. Imported
// first by wasm-shim-worker.js (module imports run in order), so it runs before the engine.
// The worker URL's `shim` query parameter picks the simulation:
//   no-audiodecoder   no AudioDecoder, EncodedAudioChunk or AudioData (Safari < 26, Firefox on Android)
//   reject-aac        AudioDecoder.isConfigSupported says no to every mp4a.* config (Chromium without AAC)
//   configure-throws  AudioDecoder#configure throws NotSupportedError for mp4a.* configs
//   decode-fails      mp4a.* configures, then the decoder fails asynchronously on the first packet
// Every interception is counted in `self.__kitharaShim` (read by nothing but a debugger).

const mode = new URL(self.location.href).searchParams.get('shim');
const counts = { isConfigSupportedRejected: 0, configureThrown: 0 };
self.__kitharaShim = { mode, counts };

const isAac = (config) => typeof config?.codec === 'string' && config.codec.startsWith('mp4a');

if (mode === 'no-audiodecoder') {
  for (const name of ['AudioDecoder', 'EncodedAudioChunk', 'AudioData', 'AudioEncoder']) delete self[name];
  if (typeof self.AudioDecoder !== 'undefined') throw new Error('wasm-shim: AudioDecoder could not be removed');
} else if (mode === 'reject-aac') {
  const original = self.AudioDecoder.isConfigSupported.bind(self.AudioDecoder);
  self.AudioDecoder.isConfigSupported = (config) => {
    if (!isAac(config)) return original(config);
    counts.isConfigSupportedRejected += 1;
    return Promise.resolve({ supported: false, config });
  };
} else if (mode === 'configure-throws') {
  const original = self.AudioDecoder.prototype.configure;
  self.AudioDecoder.prototype.configure = function configure(config) {
    if (!isAac(config)) return original.call(this, config);
    counts.configureThrown += 1;
    throw new DOMException(`wasm-shim: configure refuses ${config.codec}`, 'NotSupportedError');
  };
} else if (mode === 'decode-fails') {
  // Configures, then fails asynchronously on the first AAC packet (through the error callback),
  // like a platform that announces a profile it cannot decode.
  const configured = new WeakMap();
  const configure = self.AudioDecoder.prototype.configure;
  self.AudioDecoder.prototype.configure = function (config) {
    configured.set(this, isAac(config));
    return configure.call(this, config);
  };
  const decode = self.AudioDecoder.prototype.decode;
  self.AudioDecoder.prototype.decode = function (chunk) {
    if (!configured.get(this)) return decode.call(this, chunk);
    counts.decodeBroken = (counts.decodeBroken ?? 0) + 1;
    return decode.call(this, new EncodedAudioChunk({ type: 'key', timestamp: chunk.timestamp, data: new Uint8Array([0xff, 0xff, 0xff, 0xff]) }));
  };
} else {
  throw new Error(`wasm-shim: unknown shim '${mode}'`);
}
