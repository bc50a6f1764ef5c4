// The HLS section of scripts/make-fixtures.mjs: small VOD streams in fixtures/hls/, each a folder
// made from the same chirp (fixtures/signal.mjs), HLS_DURATION seconds long, cut into ~2 s segments.
//
// - ffmpeg's hls muxer writes the fMP4, MPEG-TS and single-file (byte-range) streams.
// - Packed audio (raw ADTS / MP3 segments) is cut here frame by frame from one ffmpeg encode, and
//   each segment gets the ID3 PRIV 'com.apple.streaming.transportStreamTimestamp' tag that HLS
//   requires, on the same timeline as ffmpeg's TS segments (first frame at 1.4 s).
// - AES-128 is applied here (node:crypto, AES-128-CBC with PKCS#7), because ffmpeg 5.1 writes an
//   explicit all-zero IV when none is given and cannot encrypt fMP4 at all.
// - The multi-variant master playlist is written here, with BANDWIDTH / AVERAGE-BANDWIDTH measured
//   from the segment files (peak and mean segment bit rate, as RFC 8216 defines them).
//
// The encrypted streams decrypt to exactly the segment files of their clear twin (`decryptsTo`).
// Each output is a folder; `describe(dir)` adds the facts measured from the files to
// fixtures/hls/manifest.json.

import { createCipheriv } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Length of the HLS masters, in seconds. 7.9 s (not 8) so that 2 s cuts plus the encoder's
 * priming frame give four segments and no one-frame tail segment. */
export const HLS_DURATION = 7.9;
/** Target segment length (-hls_time). */
const SEGMENT_SECONDS = 2;
/** The AES-128 key of every encrypted fixture: bytes 00 01 .. 0f. */
const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
/** The key that broken/wrong-key.m3u8 points to. */
const WRONG_KEY = Buffer.from('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff', 'hex');
/** Explicit IVs (distinct from the key and from any sequence number). */
const TS_IV = Buffer.from('101112131415161718191a1b1c1d1e1f', 'hex');
const FMP4_IV = Buffer.from('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf', 'hex');
/** 90 kHz PTS of the first frame in ffmpeg's TS segments (mpegts muxdelay 0.7 s, twice). */
const TS_FIRST_PTS = 126000;

const AAC_ARGS = ['-c:a', 'aac', '-aac_coder', 'fast'];
const MP3_ARGS = ['-c:a', 'libmp3lame'];

// ---------------------------------------------------------------------------------------------
// Building blocks

/** Runs ffmpeg's hls muxer into `dir` (index.m3u8 plus segments). */
function ffmpegHls(ctx, dir, [rate, channels], codecArgs, { type = 'mpegts', singleFile = false, startNumber = 0 } = {}) {
  mkdirSync(dir, { recursive: true });
  const args = [
    '-i', ctx.master(rate, channels, 'f32', HLS_DURATION), ...ctx.deterministic, ...codecArgs,
    '-f', 'hls', '-hls_time', String(SEGMENT_SECONDS), '-hls_playlist_type', 'vod',
    '-hls_segment_type', type, '-start_number', String(startNumber),
  ];
  if (singleFile) args.push('-hls_flags', 'single_file');
  else args.push('-hls_segment_filename', join(dir, type === 'fmp4' ? 'seg%d.m4s' : 'seg%d.ts'));
  ctx.ffmpeg([...args, join(dir, 'index.m3u8')]);
}

/**
 * Two separate TS encodes of the chirp, 0–4 s and 4–7.9 s, joined by EXT-X-DISCONTINUITY: the
 * second encode restarts its timestamps and has its own priming, as an ad or a re-encoded part
 * would. Played through, it must be one unbroken chirp.
 */
function discontinuityHls(ctx, dir) {
  mkdirSync(dir, { recursive: true });
  // The first encode ends on an AAC frame boundary (172 frames of 1024 after its 1024 priming
  // samples), so it has no padding: the playlist then places the second encode exactly after it.
  // (Padding at a discontinuity is counted as media by EXTINF and cannot be told apart.)
  const cut = 172 * 1024;
  const parts = [
    { name: 'a', filter: ['-af', `atrim=end_sample=${cut}`] },
    { name: 'b', filter: ['-af', `atrim=start_sample=${cut},asetpts=N/SR/TB`] },
  ];
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${SEGMENT_SECONDS}`, '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD'];
  for (const [i, part] of parts.entries()) {
    const sub = join(dir, part.name);
    mkdirSync(sub, { recursive: true });
    ctx.ffmpeg([
      '-i', ctx.master(44100, 2, 'f32', HLS_DURATION), ...part.filter, ...ctx.deterministic, ...AAC_ARGS, '-b:a', '128k',
      '-f', 'hls', '-hls_time', String(SEGMENT_SECONDS), '-hls_playlist_type', 'vod', '-hls_segment_type', 'mpegts',
      '-hls_segment_filename', join(sub, 'seg%d.ts'), join(sub, 'index.m3u8'),
    ]);
    if (i > 0) lines.push('#EXT-X-DISCONTINUITY');
    for (const { uri, duration } of readMediaPlaylist(join(sub, 'index.m3u8')).segments) {
      lines.push(`#EXTINF:${duration.toFixed(6)},`, `${part.name}/${uri}`);
    }
  }
  lines.push('#EXT-X-ENDLIST');
  writeFileSync(join(dir, 'index.m3u8'), `${lines.join('\n')}\n`);
}

/** The segment URIs and EXTINF durations of a media playlist written by this script or ffmpeg. */
export function readMediaPlaylist(path) {
  const segments = [];
  let duration = null;
  let mediaSequence = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) mediaSequence = Number(line.slice(22));
    else if (line && !line.startsWith('#')) {
      segments.push({ uri: line, duration });
      duration = null;
    }
  }
  return { segments, mediaSequence };
}

/** AES-128-CBC (PKCS#7) encrypts every segment file of `dir` in place and adds EXT-X-KEY. */
function encryptHls(dir, { iv = null, keyAfterMap = true } = {}) {
  const playlist = join(dir, 'index.m3u8');
  const { segments, mediaSequence } = readMediaPlaylist(playlist);
  segments.forEach(({ uri }, i) => {
    const segIv = iv ?? sequenceIv(mediaSequence + i);
    const cipher = createCipheriv('aes-128-cbc', KEY, segIv);
    const path = join(dir, uri);
    writeFileSync(path, Buffer.concat([cipher.update(readFileSync(path)), cipher.final()]));
  });
  writeFileSync(join(dir, 'key.bin'), KEY);
  const keyLine = `#EXT-X-KEY:METHOD=AES-128,URI="key.bin"${iv ? `,IV=0x${iv.toString('hex')}` : ''}`;
  const lines = readFileSync(playlist, 'utf8').split('\n');
  // After EXT-X-MAP (when present) the init segment stays in the clear; before the first EXTINF.
  const anchor = keyAfterMap && lines.some((l) => l.startsWith('#EXT-X-MAP'))
    ? lines.findIndex((l) => l.startsWith('#EXT-X-MAP')) + 1
    : lines.findIndex((l) => l.startsWith('#EXTINF'));
  lines.splice(anchor, 0, keyLine);
  writeFileSync(playlist, lines.join('\n'));
}

/** The IV HLS derives from a media sequence number: 16 bytes, big-endian. */
function sequenceIv(sequence) {
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(sequence), 8);
  return iv;
}

/** Splits an ADTS stream into frames. */
function adtsFrames(buf) {
  const frames = [];
  for (let o = 0; o + 7 <= buf.length;) {
    if (buf[o] !== 0xff || (buf[o + 1] & 0xf6) !== 0xf0) throw new Error(`no ADTS sync at ${o}`);
    const len = ((buf[o + 3] & 0x03) << 11) | (buf[o + 4] << 3) | (buf[o + 5] >> 5);
    frames.push(buf.subarray(o, o + len));
    o += len;
  }
  return frames;
}

const MP3_KBPS = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MP3_RATES = [44100, 48000, 32000];

/** Splits an MPEG-1 Layer III stream (no ID3, no Xing frame) into frames. */
function mp3Frames(buf) {
  const frames = [];
  for (let o = 0; o + 4 <= buf.length;) {
    const h = buf.readUInt32BE(o);
    if ((h & 0xfffe0000) >>> 0 !== 0xfffa0000) throw new Error(`not an MPEG-1 layer III frame at ${o}`);
    const kbps = MP3_KBPS[(h >>> 12) & 0xf];
    const rate = MP3_RATES[(h >>> 10) & 0x3];
    const len = Math.floor((144000 * kbps) / rate) + ((h >>> 9) & 1);
    frames.push(buf.subarray(o, o + len));
    o += len;
  }
  return frames;
}

/** An ID3v2.4 tag with the HLS packed-audio timestamp: PRIV owner + 8-byte 33-bit PTS. */
function id3Timestamp(pts90k) {
  const owner = Buffer.from('com.apple.streaming.transportStreamTimestamp\0', 'latin1');
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64BE(BigInt(pts90k) & ((1n << 33n) - 1n));
  const body = Buffer.concat([owner, stamp]);
  const frame = Buffer.concat([Buffer.from('PRIV'), syncsafe(body.length), Buffer.alloc(2), body]);
  return Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 4, 0, 0]), syncsafe(frame.length), frame]);
}

function syncsafe(n) {
  return Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);
}

/**
 * Packed audio: encodes one elementary stream, cuts it before the first frame that starts at or
 * after each 2 s mark (counting the priming frame, like ffmpeg's hls muxer), and prefixes each
 * segment with its ID3 timestamp. The first frame is at TS_FIRST_PTS, as in the TS fixtures.
 */
function packedHls(ctx, dir, kind) {
  mkdirSync(dir, { recursive: true });
  const rate = 44100;
  const es = join(ctx.tmp, `packed.${kind}`);
  const codec = kind === 'aac'
    ? [...AAC_ARGS, '-b:a', '128k', '-f', 'adts']
    : [...MP3_ARGS, '-b:a', '128k', '-write_xing', '0', '-id3v2_version', '0', '-f', 'mp3'];
  ctx.ffmpeg(['-i', ctx.master(rate, 2, 'f32', HLS_DURATION), ...ctx.deterministic, ...codec, es]);
  const spf = kind === 'aac' ? 1024 : 1152;
  const frames = kind === 'aac' ? adtsFrames(readFileSync(es)) : mp3Frames(readFileSync(es));
  const cuts = [0];
  for (let i = 0, k = 1; i < frames.length; i++) {
    if ((i * spf) / rate >= k * SEGMENT_SECONDS) {
      cuts.push(i);
      k++;
    }
  }
  cuts.push(frames.length);
  const entries = [];
  for (let s = 0; s + 1 < cuts.length; s++) {
    const [first, end] = [cuts[s], cuts[s + 1]];
    const name = `seg${s}.${kind}`;
    const pts = TS_FIRST_PTS + Math.round((first * spf * 90000) / rate);
    writeFileSync(join(dir, name), Buffer.concat([id3Timestamp(pts), ...frames.slice(first, end)]));
    entries.push({ name, duration: ((end - first) * spf) / rate });
  }
  const target = Math.max(...entries.map((e) => Math.round(e.duration)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`, '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD', ...entries.flatMap((e) => [`#EXTINF:${e.duration.toFixed(6)},`, e.name]), '#EXT-X-ENDLIST', ''];
  writeFileSync(join(dir, 'index.m3u8'), lines.join('\n'));
}

/** A copy of a single-file byte-range playlist that leaves out every offset the spec lets it
 * omit (a range that starts where the previous segment's range ended). */
function implicitByteRanges(dir) {
  let prevEnd = null;
  const out = readFileSync(join(dir, 'index.m3u8'), 'utf8').split('\n').map((line) => {
    const m = /^#EXT-X-BYTERANGE:(\d+)@(\d+)$/.exec(line);
    if (!m) return line;
    const [len, off] = [Number(m[1]), Number(m[2])];
    const implicit = prevEnd === off;
    prevEnd = off + len;
    return implicit ? `#EXT-X-BYTERANGE:${len}` : line;
  });
  writeFileSync(join(dir, 'index-implicit.m3u8'), out.join('\n'));
}

/** The multi-variant ladder: three fMP4 AAC-LC variants that differ in rate and channels. */
const LADDER = [
  { dir: 'a0', sampleRate: 22050, channels: 1, bitrate: 48000 },
  { dir: 'a1', sampleRate: 44100, channels: 2, bitrate: 96000 },
  { dir: 'a2', sampleRate: 48000, channels: 2, bitrate: 160000 },
];

/** Peak and average segment bit rates of a media playlist (RFC 8216 BANDWIDTH definitions). */
function segmentBitrates(dir) {
  const { segments } = readMediaPlaylist(join(dir, 'index.m3u8'));
  let peak = 0;
  let bytes = 0;
  let seconds = 0;
  for (const { uri, duration } of segments) {
    const size = statSync(join(dir, uri)).size;
    peak = Math.max(peak, (size * 8) / duration);
    bytes += size;
    seconds += duration;
  }
  return { peak: Math.ceil(peak), average: Math.ceil((bytes * 8) / seconds) };
}

function multiHls(ctx, dir) {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of LADDER) {
    const vdir = join(dir, v.dir);
    ffmpegHls(ctx, vdir, [v.sampleRate, v.channels], [...AAC_ARGS, '-b:a', String(v.bitrate)], { type: 'fmp4' });
    const { peak, average } = segmentBitrates(vdir);
    lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${peak},AVERAGE-BANDWIDTH=${average},CODECS="mp4a.40.2"`, `${v.dir}/index.m3u8`);
  }
  writeFileSync(join(dir, 'master.m3u8'), `${lines.join('\n')}\n`);
}

/** A master playlist over the streams of CODEC_LADDER (made before it, in their own folders). */
function multiCodecHls(_ctx, dir) {
  mkdirSync(dir, { recursive: true });
  const lines = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of CODEC_LADDER) {
    const { peak, average } = segmentBitrates(join(dir, '..', v.dir));
    lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${peak},AVERAGE-BANDWIDTH=${average},CODECS="${v.codecs}"`, `../${v.dir}/index.m3u8`);
  }
  writeFileSync(join(dir, 'master.m3u8'), `${lines.join('\n')}\n`);
}

/** Playlists that must fail, each with the error it must give. */
const BROKEN = [
  {
    file: 'bad-extinf.m3u8', expect: { code: 'parse', line: 8 },
    text: ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:3', '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:VOD', '#EXTINF:2.020133,', '../ts/seg0.ts', '#EXTINF:abc,', '../ts/seg1.ts',
      '#EXT-X-ENDLIST'],
  },
  {
    file: 'missing-uri.m3u8', expect: { code: 'parse', line: 7 },
    text: ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:3', '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXTINF:2.020133,', '../ts/seg0.ts', '#EXTINF:1.996922,'],
  },
  {
    file: 'not-hls.m3u8', expect: { code: 'parse', line: 1 },
    text: ['<!doctype html>', '<title>Not found</title>'],
  },
  {
    file: 'master-no-bandwidth.m3u8', expect: { code: 'parse', line: 3 },
    text: ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-STREAM-INF:CODECS="mp4a.40.2"', '../multi/a1/index.m3u8'],
  },
  // Parse fine; fail when the key is fetched (404) or when the segments are decrypted.
  { file: 'missing-key.m3u8', expect: { code: 'http', status: 404 }, keyUri: 'missing.key' },
  { file: 'wrong-key.m3u8', expect: { code: 'decrypt' }, keyUri: 'wrong.key' },
];

function brokenHls(_ctx, dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'wrong.key'), WRONG_KEY);
  const source = readFileSync(join(dir, '..', 'aes-ts-iv', 'index.m3u8'), 'utf8');
  for (const b of BROKEN) {
    const text = b.text
      ? `${b.text.join('\n')}\n`
      : source.replace('URI="key.bin"', `URI="${b.keyUri}"`).replace(/^(seg\d+\.ts)$/gm, '../aes-ts-iv/$1');
    writeFileSync(join(dir, b.file), text);
  }
}

// ---------------------------------------------------------------------------------------------
// Manifest facts

function dirBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    total += e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  }
  return total;
}

/** Facts read back from a media-playlist folder. */
function describeMedia(dir, playlist = 'index.m3u8') {
  const { segments, mediaSequence } = readMediaPlaylist(join(dir, playlist));
  const durations = segments.map((s) => s.duration);
  return {
    mediaSequence,
    segmentCount: segments.length,
    segmentDurations: durations,
    duration: Number(durations.reduce((a, b) => a + b, 0).toFixed(6)),
    bytes: dirBytes(dir),
  };
}

// ---------------------------------------------------------------------------------------------
// The section

// primingSamples: decoded samples before the first sample of the signal (measured with ffmpeg:
// AAC 1024 = ffmpeg's encoder delay; MP3 1105 = LAME's 576 + the decoder's 529). No fixture
// signals it (the fMP4 edit list has media_time 0; TS and packed audio cannot).
const AAC = { codec: 'aac', codecs: 'mp4a.40.2', primingSamples: 1024 };
const AAC_44 = { ...AAC, sampleRate: 44100, channels: 2, bitrate: 128000 };
const MP3_44 = { codec: 'mp3', codecs: 'mp4a.40.34', primingSamples: 1105, sampleRate: 44100, channels: 2, bitrate: 128000 };
/**
 * The codec ladder of multi-codec/: one encode of the chirp per codec and segment format, both cut
 * by ffmpeg's hls muxer at the first frame at or after each 2 s mark. It reuses the ts-mp3/ and
 * fmp4/ streams (no media of its own). The cuts cannot be sample-identical: with 1152- and
 * 1024-sample frames and priming of 1105 and 1024 samples, segment k starts up to one frame apart
 * in signal time.
 */
const CODEC_LADDER = [
  { dir: 'ts-mp3', container: 'ts', ...MP3_44 },
  { dir: 'fmp4', container: 'fmp4', ...AAC_44 },
];
/** firstPts90k: the 90 kHz time of the first (priming) frame; fMP4 gives it as tfdt 0. */
const TS_TIMING = { firstPts90k: TS_FIRST_PTS };
const FMP4_TIMING = { firstPts90k: 0 };
const CLEAR = { encrypted: false };
const keyFacts = (ivMode, iv) => ({
  encrypted: true, method: 'AES-128', keyUri: 'key.bin', keyHex: KEY.toString('hex'), ivMode,
  ...(iv ? { ivHex: iv.toString('hex') } : {}),
});

const media = (fields) => ({ playlist: `${fields.file}/index.m3u8`, sourceDuration: HLS_DURATION, ...fields });

/**
 * The HLS section of the fixture table, writing into `root`.
 * @returns {{ name: string, root: string, outputs: object[], describe(fields: object, dir: string): object }}
 */
export function hlsSection(root) {
  return {
    name: 'hls',
    root,
    describe: (fields, dir) => {
      if (fields.kind === 'broken') return { ...fields, playlists: BROKEN.map(({ file, expect }) => ({ file, expect })) };
      if (fields.kind === 'codec-master') {
        return {
          ...fields,
          bytes: dirBytes(dir),
          variants: CODEC_LADDER.map((v) => {
            const vdir = join(dir, '..', v.dir);
            const { peak, average } = segmentBitrates(vdir);
            return { ...v, playlist: `${v.dir}/index.m3u8`, bandwidth: peak, averageBandwidth: average, ...describeMedia(vdir) };
          }),
        };
      }
      if (fields.kind === 'master') {
        return {
          ...fields,
          bytes: dirBytes(dir),
          variants: LADDER.map((v) => {
            const { peak, average } = segmentBitrates(join(dir, v.dir));
            return {
              ...v, playlist: `${fields.file}/${v.dir}/index.m3u8`, container: 'fmp4', ...AAC,
              bandwidth: peak, averageBandwidth: average, ...describeMedia(join(dir, v.dir)),
            };
          }),
        };
      }
      return { ...fields, ...describeMedia(dir, fields.playlist.slice(fields.file.length + 1)) };
    },
    outputs: [
      {
        ...media({ file: 'fmp4', container: 'fmp4', ...AAC_44, ...FMP4_TIMING, ...CLEAR }),
        build: (ctx, out) => ffmpegHls(ctx, out, [44100, 2], [...AAC_ARGS, '-b:a', '128k'], { type: 'fmp4' }),
      },
      {
        ...media({ file: 'ts', container: 'ts', ...AAC_44, ...TS_TIMING, ...CLEAR }),
        build: (ctx, out) => ffmpegHls(ctx, out, [44100, 2], [...AAC_ARGS, '-b:a', '128k']),
      },
      {
        ...media({ file: 'ts-mp3', container: 'ts', ...MP3_44, ...TS_TIMING, ...CLEAR }),
        build: (ctx, out) => ffmpegHls(ctx, out, [44100, 2], [...MP3_ARGS, '-b:a', '128k']),
      },
      {
        ...media({ file: 'packed-aac', container: 'adts', ...AAC_44, ...TS_TIMING, id3Timestamps: true, ...CLEAR }),
        build: (ctx, out) => packedHls(ctx, out, 'aac'),
      },
      {
        ...media({ file: 'packed-mp3', container: 'mp3', ...MP3_44, ...TS_TIMING, id3Timestamps: true, ...CLEAR }),
        build: (ctx, out) => packedHls(ctx, out, 'mp3'),
      },
      {
        ...media({ file: 'byterange', container: 'fmp4', ...AAC_44, ...FMP4_TIMING, byteRanges: true, singleFile: 'index.m4s',
          alsoPlaylist: 'byterange/index-implicit.m3u8', ...CLEAR }),
        build: (ctx, out) => {
          ffmpegHls(ctx, out, [44100, 2], [...AAC_ARGS, '-b:a', '128k'], { type: 'fmp4', singleFile: true });
          implicitByteRanges(out);
        },
      },
      {
        ...media({ file: 'discontinuity', container: 'ts', ...AAC_44, ...TS_TIMING, discontinuityAt: (172 * 1024) / 44100, ...CLEAR }),
        build: (ctx, out) => discontinuityHls(ctx, out),
      },
      {
        ...media({ file: 'aes-ts-iv', container: 'ts', ...AAC_44, ...TS_TIMING, ...keyFacts('explicit', TS_IV), decryptsTo: 'ts' }),
        build: (ctx, out) => {
          ffmpegHls(ctx, out, [44100, 2], [...AAC_ARGS, '-b:a', '128k']);
          encryptHls(out, { iv: TS_IV });
        },
      },
      {
        // Starts at media sequence 5, so an IV taken from the segment index instead fails.
        ...media({ file: 'aes-ts-seq', container: 'ts', ...AAC_44, ...TS_TIMING, ...keyFacts('sequence', null), decryptsTo: 'ts' }),
        build: (ctx, out) => {
          ffmpegHls(ctx, out, [44100, 2], [...AAC_ARGS, '-b:a', '128k'], { startNumber: 5 });
          encryptHls(out);
        },
      },
      {
        ...media({ file: 'aes-fmp4', container: 'fmp4', ...AAC_44, ...FMP4_TIMING, ...keyFacts('explicit', FMP4_IV), initEncrypted: false, decryptsTo: 'fmp4' }),
        build: (ctx, out) => {
          ffmpegHls(ctx, out, [44100, 2], [...AAC_ARGS, '-b:a', '128k'], { type: 'fmp4' });
          encryptHls(out, { iv: FMP4_IV });
        },
      },
      {
        // Media sequence 258 (0x0102) and no IV attribute: each segment's IV is its sequence number,
        // two non-zero bytes, so an IV from the segment index (or from one byte) fails.
        ...media({ file: 'aes-fmp4-seq', container: 'fmp4', ...AAC_44, ...FMP4_TIMING, ...keyFacts('sequence', null), initEncrypted: false, decryptsTo: 'fmp4' }),
        build: (ctx, out) => {
          ffmpegHls(ctx, out, [44100, 2], [...AAC_ARGS, '-b:a', '128k'], { type: 'fmp4', startNumber: 258 });
          encryptHls(out);
        },
      },
      {
        file: 'multi', kind: 'master', playlist: 'multi/master.m3u8', container: 'fmp4', codec: 'aac', sourceDuration: HLS_DURATION, ...FMP4_TIMING, ...CLEAR,
        build: (ctx, out) => multiHls(ctx, out),
      },
      {
        // Variants that differ in codec and segment format: MP3 in MPEG-TS, AAC-LC in fMP4.
        file: 'multi-codec', kind: 'codec-master', playlist: 'multi-codec/master.m3u8', sourceDuration: HLS_DURATION, ...CLEAR,
        build: (ctx, out) => multiCodecHls(ctx, out),
      },
      { file: 'broken', kind: 'broken', build: (ctx, out) => brokenHls(ctx, out) },
    ],
  };
}
