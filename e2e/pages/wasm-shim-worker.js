// An engine worker in a browser with missing or limited WebCodecs: the shim runs first, then the
// real engine worker. The engine is imported by its own absolute URL, so its relative chunk
// imports (./chunks/*.js, and the chunks' ../kithara.worker.js) resolve in /dist as usual and
// share this one module instance. Pass as `workerUrl: '/e2e/pages/wasm-shim-worker.js?shim=MODE'`.
import './wasm-shim.js';
import '/dist/kithara.worker.js';
