import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contractCases, type ContractDriver } from './contract.js';
import { MemoryDriver } from '../../src/storage/memory-resource.js';
import { ChunkedDriver } from '../../src/storage/chunked-driver.js';
import { MapKv } from '../../src/storage/kv.js';

const memory = new MemoryDriver();
const kv = new MapKv();
const drivers: ContractDriver[] = [
  { name: 'memory', persistent: false, driver: () => memory },
  {
    name: 'chunked (IndexedDB layout over MapKv)',
    persistent: true,
    driver: () => new ChunkedDriver(kv, { chunkSize: 64 * 1024 }),
    corruptIndex: (key) => {
      kv.poke(['m', key], new Uint8Array([75, 67, 79, 86, 49, 32, 57, 57, 10, 1, 2, 3]));
      return Promise.resolve();
    },
  },
];

for (const d of drivers) {
  let n = 0;
  for (const c of contractCases) {
    if (c.persistentOnly === true && !d.persistent) continue;
    const key = `n${n++}`;
    test(`${d.name}: ${c.name}`, async () => {
      await c.run(d, key);
      assert.ok(true);
    });
  }
}
