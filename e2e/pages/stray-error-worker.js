// The real engine worker, plus an uncaught error thrown in a task right after it started (as a
// stray bug in some callback would): the page must keep using the engine. Pass as
// `workerUrl: '/e2e/pages/stray-error-worker.js'`.
import '/dist/kithara.worker.js';

setTimeout(() => {
  throw new Error('a stray error in a task of the engine worker');
}, 0);
