// Types for the part of the m3u8-parser package (videojs, Apache-2.0) that Kithara uses: the
// line-level ParseStream. The package ships no types of its own.

declare module 'm3u8-parser' {
  /** One parsed line: a tag (`tagType` names it), a URI line or a comment. */
  export interface M3u8Entry {
    type: 'tag' | 'uri' | 'comment' | 'custom';
    tagType?: string;
    uri?: string;
    /** EXTINF duration, EXT-X-TARGETDURATION value. */
    duration?: number;
    title?: string;
    /** EXT-X-MEDIA-SEQUENCE, EXT-X-DISCONTINUITY-SEQUENCE value. */
    number?: number;
    playlistType?: string;
    /** EXT-X-BYTERANGE length and offset. */
    length?: number;
    offset?: number;
    /** EXT-X-MAP byte range. */
    byterange?: { length?: number; offset?: number };
    /** Attribute list, values unquoted; a few are converted (BANDWIDTH, RESOLUTION, IV). */
    attributes?: Record<string, unknown>;
  }

  /** A context-free, line-at-a-time M3U8 tokenizer. `push` emits 'data' synchronously. */
  export class ParseStream {
    constructor();
    on(type: 'data', listener: (entry: M3u8Entry) => void): void;
    push(line: string): void;
  }
}
