/**
 * Makes KitharaErrors cross the worker boundary intact: comlink's stock 'throw' handler
 * keeps only name/message/stack, so `code`, `status` and `url` would be lost. Both sides
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
      stock.deserialize(wire.inner);
      throw new Error('unreachable');
    },
  } as Comlink.TransferHandler<unknown, unknown>);
}
