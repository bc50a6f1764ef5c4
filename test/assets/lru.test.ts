import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectVictims } from '../../src/assets/lru.js';

const e = (key: string, bytes: number, lastAccess: number) => ({ key, bytes, lastAccess });

test('evicts least recently used first until the byte cap holds', () => {
  const entries = [e('a', 40, 3), e('b', 40, 1), e('c', 40, 2), e('d', 40, 4)];
  assert.deepEqual(selectVictims(entries, { maxBytes: 100, maxEntries: 10 }, () => false), ['b', 'c']);
  assert.deepEqual(selectVictims(entries, { maxBytes: 160, maxEntries: 10 }, () => false), []);
});

test('evicts by count as well as by bytes', () => {
  const entries = [e('a', 1, 3), e('b', 1, 1), e('c', 1, 2), e('d', 1, 4)];
  assert.deepEqual(selectVictims(entries, { maxBytes: 1000, maxEntries: 2 }, () => false), ['b', 'c']);
});

test('pinned entries are never chosen; the cap is soft when they alone exceed it', () => {
  const entries = [e('a', 100, 1), e('b', 100, 2), e('c', 100, 3)];
  assert.deepEqual(selectVictims(entries, { maxBytes: 150, maxEntries: 10 }, (k) => k === 'a'), ['b', 'c']);
  assert.deepEqual(selectVictims(entries, { maxBytes: 50, maxEntries: 10 }, (k) => k !== 'c'), ['c']);
});

test('a quota reclaim frees room below the cap', () => {
  const entries = [e('a', 30, 1), e('b', 30, 2), e('c', 30, 3)];
  assert.deepEqual(selectVictims(entries, { maxBytes: 1000, maxEntries: 10 }, () => false, 50), ['a', 'b']);
});

test('ties in last access break by key, so the choice is deterministic', () => {
  const entries = [e('z', 10, 5), e('m', 10, 5), e('a', 10, 5)];
  assert.deepEqual(selectVictims(entries, { maxBytes: 15, maxEntries: 10 }, () => false), ['a', 'm']);
});
