// Takes storage backends away in an engine worker before the engine loads (see
// storage-shim-worker.js): `?hide=opfs` removes OPFS (navigator.storage.getDirectory),
// `?hide=opfs,idb` also IndexedDB.
const hide = new URL(self.location.href).searchParams.get('hide')?.split(',') ?? [];
if (hide.includes('opfs')) {
  Object.defineProperty(StorageManager.prototype, 'getDirectory', { value: undefined, configurable: true });
}
if (hide.includes('idb')) {
  Object.defineProperty(self, 'indexedDB', { value: undefined, configurable: true });
}
