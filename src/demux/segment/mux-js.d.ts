/**
 * Types for the parts of mux.js's MPEG-TS module (`mux.js/lib/m2ts/m2ts.js`, CommonJS) that the
 * TS segment demuxer uses. mux.js ships no type declarations.
 */
declare module 'mux.js/lib/m2ts/m2ts.js' {
  /** mux.js's minimal event emitter. */
  export interface MuxStream<T> {
    on(type: 'data', listener: (data: T) => void): void;
    push(data: unknown): void;
    flush(): void;
    reset(): void;
  }

  /** Splits bytes into 188-byte packets (a packet is emitted once the next sync byte is seen). */
  export interface TransportPacketStream extends MuxStream<Uint8Array> {
    push(bytes: Uint8Array): void;
  }

  /** One parsed transport packet. */
  export interface ParsedPacket {
    type: 'pat' | 'pmt' | 'pes';
    pid: number;
    payloadUnitStartIndicator: boolean;
    /** For 'pes': the packet payload after any adaptation field (a view into the packet). */
    data?: Uint8Array;
    /** For 'pes': 0x1B, 0x0F or 0x15 when the PMT mapped the PID; undefined otherwise. */
    streamType?: number;
  }

  /** Parses PAT/PMT and classifies the other packets by PID (holding them until a PMT is seen). */
  export interface TransportParseStream extends MuxStream<ParsedPacket> {
    push(packet: Uint8Array): void;
    /** PID of the PMT, after the PAT. */
    pmtPid: number | undefined;
    /** Packets held until a PMT arrives. */
    packetsWaitingForPmt: unknown[];
    programMapTable: unknown;
  }

  const m2ts: {
    TransportPacketStream: new () => TransportPacketStream;
    TransportParseStream: new () => TransportParseStream;
    MP2T_PACKET_LENGTH: number;
  };
  export default m2ts;
}
