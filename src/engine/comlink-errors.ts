/**
 * Makes KitharaErrors cross the worker boundary intact: comlink's stock 'throw' handler
 * keeps only name/message/stack, so `code`, `status` and `url` would be lost. A `TypeError` or
 * `RangeError` (an argument the caller got wrong) arrives as one, not as a plain `Error`. Both sides
 * call {@link installErrorTransfer} before their first call.
 */
import * as Comlink from 'comlink';
import { KitharaError, type SerializedKitharaError } from '../platform/errors.js';

interface Wire {
  kithara?: SerializedKitharaError;
  inner?: unknown;
}

let installed = false;

/** Replaces comlink's 'throw' transfer handler with one that keeps KitharaError fields. */
export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const stock = Comlink.transferHandlers.get('throw') as Comlink.TransferHandler<{ value: unknown }, unknown>;
  Comlink.transferHandlers.set('throw', {
    canHandle: (value: unknown): value is { value: unknown } => stock.canHandle(value),
    serialize(thrown: { value: unknown }): [Wire, Transferable[]] {
      if (thrown.value instanceof KitharaError) return [{ kithara: thrown.value.toJSON() }, []];
      const [inner, transfers] = stock.serialize(thrown);
      return [{ inner }, transfers];
    },
    deserialize(wire: Wire): never {
      if (wire.kithara !== undefined) throw KitharaError.fromJSON(wire.kithara);
      // Argument errors stay what they are (comlink would make them plain Errors named so).
      const inner = wire.inner as { isError?: boolean; value?: { name?: unknown; message?: unknown } } | undefined;
      const name = inner?.isError === true ? inner.value?.name : undefined;
      if (name === 'TypeError') throw new TypeError(String(inner?.value?.message ?? ''));
      if (name === 'RangeError') throw new RangeError(String(inner?.value?.message ?? ''));
      stock.deserialize(wire.inner);
      throw new Error('unreachable');
    },
  } as Comlink.TransferHandler<unknown, unknown>);
}
