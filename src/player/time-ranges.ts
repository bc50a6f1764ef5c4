/** A TimeRanges-like list of [start, end) seconds, as HTMLMediaElement.buffered returns. */
export class KitharaTimeRanges implements TimeRanges {
  constructor(private readonly ranges: readonly (readonly [number, number])[] = []) {}

  get length(): number {
    return this.ranges.length;
  }

  start(index: number): number {
    const r = this.ranges[index];
    if (r === undefined) throw new DOMException(`Index ${index} is out of range.`, 'IndexSizeError');
    return r[0];
  }

  end(index: number): number {
    const r = this.ranges[index];
    if (r === undefined) throw new DOMException(`Index ${index} is out of range.`, 'IndexSizeError');
    return r[1];
  }
}
