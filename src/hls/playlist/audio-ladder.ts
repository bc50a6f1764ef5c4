/**
 * Which streams of a master playlist an audio-only player switches between (its "ladder").
 *
 * The rule, in order:
 * 1. If some variants are audio-only, the ladder is those variants. A variant is audio-only when
 *    its CODECS lists audio codecs only; without CODECS, when it has no RESOLUTION and no AUDIO
 *    group whose renditions have URIs.
 * 2. Otherwise, if variants use AUDIO groups whose renditions have URIs (video variants with
 *    separate audio), the ladder has one entry per such group, in order of first use: the group's
 *    DEFAULT rendition, else its first AUTOSELECT one, else its first one with a URI. Its
 *    bandwidth is the lowest BANDWIDTH among the variants that use the group (an upper bound of
 *    the audio rate, kept for ordering); its codecs are the audio codecs of those variants.
 *    Language choice is not offered: DEFAULT wins.
 * 3. Otherwise (audio muxed into video variants), the ladder is every variant.
 *
 * Entries keep playlist order; `index` is the position in the ladder.
 */

import { assert } from '../../platform/errors.js';
import type { AudioLadderEntry, AudioRendition, HlsVariant, MasterPlaylist } from './types.js';

/** RFC 6381 codec identifiers of audio formats (by their first dot-separated field). */
const AUDIO_CODECS = new Set(['mp4a', 'ac-3', 'ec-3', 'ac-4', 'opus', 'flac', 'alac', 'mp3', 'dtsc', 'dtse', 'dtsh', 'dtsl']);

/** The audio codecs of a CODECS list, and whether it names anything else. */
function splitCodecs(codecs: string | undefined): { audio: string[]; other: boolean } | undefined {
  if (codecs === undefined) return undefined;
  const all = codecs.split(',').map((c) => c.trim()).filter((c) => c !== '');
  const audio = all.filter((c) => AUDIO_CODECS.has((c.split('.')[0] ?? '').toLowerCase()));
  return { audio, other: audio.length < all.length };
}

/** The streams an audio-only player can play and switch between; see the module comment. */
export function audioLadder(master: MasterPlaylist): AudioLadderEntry[] {
  const groupsWithUri = new Set(master.audioRenditions.filter((r) => r.uri !== undefined).map((r) => r.groupId));
  const usesGroup = (v: HlsVariant): boolean => v.audioGroup !== undefined && groupsWithUri.has(v.audioGroup);

  const audioOnly = master.variants.filter((v) => {
    const c = splitCodecs(v.codecs);
    if (c !== undefined) return c.audio.length > 0 && !c.other;
    return v.resolution === undefined && !usesGroup(v);
  });
  if (audioOnly.length > 0) return audioOnly.map(fromVariant);

  const grouped = master.variants.filter(usesGroup);
  if (grouped.length > 0) {
    const order: string[] = [];
    for (const v of grouped) if (v.audioGroup !== undefined && !order.includes(v.audioGroup)) order.push(v.audioGroup);
    return order.map((groupId, index) => {
      const users = grouped.filter((v) => v.audioGroup === groupId);
      return fromGroup(index, groupId, pickRendition(master.audioRenditions, groupId), users);
    });
  }
  return master.variants.map(fromVariant);
}

function fromVariant(v: HlsVariant, index: number): AudioLadderEntry {
  const entry: AudioLadderEntry = {
    index,
    uri: v.uri,
    bandwidth: v.bandwidth,
    name: v.name,
    source: { kind: 'variant', variantIndex: v.index },
  };
  if (v.averageBandwidth !== undefined) entry.averageBandwidth = v.averageBandwidth;
  const audio = splitCodecs(v.codecs)?.audio;
  if (audio !== undefined && audio.length > 0) entry.codecs = audio.join(',');
  return entry;
}

function pickRendition(renditions: AudioRendition[], groupId: string): AudioRendition & { uri: string } {
  const inGroup = renditions.filter((r): r is AudioRendition & { uri: string } => r.groupId === groupId && r.uri !== undefined);
  const chosen = inGroup.find((r) => r.default) ?? inGroup.find((r) => r.autoselect) ?? inGroup[0];
  assert(chosen !== undefined, `audio group ${groupId} has no rendition with a URI`);
  return chosen;
}

function fromGroup(index: number, groupId: string, r: AudioRendition & { uri: string }, users: HlsVariant[]): AudioLadderEntry {
  const lowest = users.reduce((a, b) => (b.bandwidth < a.bandwidth ? b : a));
  const entry: AudioLadderEntry = {
    index,
    uri: r.uri,
    bandwidth: lowest.bandwidth,
    name: r.name,
    source: { kind: 'rendition', groupId, name: r.name },
  };
  if (lowest.averageBandwidth !== undefined) entry.averageBandwidth = lowest.averageBandwidth;
  const audio = [...new Set(users.flatMap((v) => splitCodecs(v.codecs)?.audio ?? []))];
  if (audio.length > 0) entry.codecs = audio.join(',');
  if (r.channels !== undefined) entry.channels = r.channels;
  return entry;
}
