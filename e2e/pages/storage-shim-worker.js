// An engine worker in a browser whose storage backends are missing: the shim runs first, then the
// real engine worker (imported by its absolute URL, as in wasm-shim-worker.js), which must fall
// back to IndexedDB, or to memory, say so with a `backend` event, and keep playing.
// Pass as `workerUrl: '/e2e/pages/storage-shim-worker.js?hide=opfs'` (or `hide=opfs,idb`).
import './storage-shim.js';
import '/dist/kithara.worker.js';
