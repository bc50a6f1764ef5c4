/** Error helpers shared by the demuxers. */
import { KitharaError } from '../../platform/errors.js';

/** A `parse` KitharaError: the bytes claim to be a format but break its rules. */
export function parseError(message: string): KitharaError {
  return new KitharaError('parse', message);
}

/** An `unsupported` KitharaError: valid input using a feature this engine does not handle. */
export function unsupportedError(message: string): KitharaError {
  return new KitharaError('unsupported', message);
}
