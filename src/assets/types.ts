/**
 * The decorator contract of the assets layer (the reference's `Assets` trait). Each layer wraps
 * the next and implements {@link Assets}: handle cache → leases → processing → eviction →
 * backend.
 */
import type { StorageResource } from '../storage/resource.js';

/** How an opened asset holds its bytes. */
export type AssetMode =
  /** Written to persistent storage by this page (it holds the writer lock). */
  | 'persistent'
  /** Another page is the writer: what it had persisted is read from storage, new bytes stay in memory. */
  | 'snapshot'
  /** In memory only (`cache: 'memory' | 'none'`, or after a fallback). */
  | 'memory';

/** What to open. */
export interface AssetRequest {
  /** The asset key. */
  readonly key: string;
  /** The URL, stored with the entry ('' when unknown). */
  readonly url: string;
  /** The total size, when known. */
  readonly length?: number;
  /** Context for the read-side processor (e.g. a decryption key); none means raw bytes. */
  readonly ctx?: unknown;
}

/** An opened asset inside the chain. */
export interface OpenedAsset {
  readonly key: string;
  readonly resource: StorageResource;
  /** How the bytes are held at open (a persistent asset can still fall back to memory later). */
  readonly mode: AssetMode;
  /** Persists and releases this layer's hold; called once. */
  close(): Promise<void>;
}

/** One layer of the chain. */
export interface Assets {
  /** Opens (or creates) the asset. */
  open(request: AssetRequest): Promise<OpenedAsset>;
  /** Deletes the asset's stored bytes. Resolves `false` when it is in use (here or in another page) and was kept. */
  remove(key: string): Promise<boolean>;
}

/**
 * Key of the store's scratch asset (`AssetStore.withScratch`). Asset keys are hex digits, so it
 * never names a real asset; the index ignores it.
 */
export const SCRATCH_KEY = '_scratch';
