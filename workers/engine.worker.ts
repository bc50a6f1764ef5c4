/**
 * Entry point of the engine Web Worker: exposes the {@link Engine} over comlink.
 * One worker per page serves every Player and Resource.
 */
import * as Comlink from 'comlink';
import { Engine } from '../src/engine/engine.js';
import { installErrorTransfer } from '../src/engine/comlink-errors.js';
import { warmUpDecoders } from '../src/decode/warm-up.js';
import { ENGINE_READY } from '../src/engine/protocol.js';

installErrorTransfer();
Comlink.expose(new Engine());
// Outside comlink (it ignores messages without its ids): the page now knows the worker started.
postMessage({ type: ENGINE_READY });
warmUpDecoders();
