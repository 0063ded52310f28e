/**
 * The block cache every ranged reader shares (the Node remote reader, the browser app's HTTP and
 * local-file readers): reads go through an LRU cache of fixed-size blocks; a read that misses
 * several consecutive blocks fetches them in one request (the large contiguous reads of spike
 * times), and a miss also reads ahead a few blocks. Where the blocks come from (a ranged GET, a
 * slice of a File) and where they may persist (a folder) is the caller's. No I/O of its own: it
 * runs in Node and in a Web Worker alike.
 */

export interface BlockCacheOptions {
  /** Block size in bytes (default 256 KiB: see README, remote recordings). */
  blockSize?: number;
  /** Blocks kept in memory (default 256, i.e. 64 MiB). */
  cacheBlocks?: number;
  /** Blocks read ahead on a miss (default 3). */
  readAhead?: number;
}

/** Blocks kept beyond memory (e.g. a folder between runs): looked up on a miss, given every fetched block. */
export interface BlockStore {
  has(index: number): boolean;
  get(index: number): Uint8Array | null;
  put(index: number, block: Uint8Array): void;
}

export class BlockCache {
  readonly blockSize: number;
  private readonly cacheBlocks: number;
  private readonly readAhead: number;
  private readonly blocks = new Map<number, Uint8Array>();

  /**
   * `fetch(start, end)` returns bytes [start, end] (inclusive) of the file, or throws; `size` is
   * the file's size in bytes.
   */
  constructor(
    readonly size: number,
    private readonly fetch: (start: number, end: number) => Uint8Array,
    opts: BlockCacheOptions = {},
    private readonly store: BlockStore | null = null,
  ) {
    this.blockSize = opts.blockSize ?? 256 * 1024;
    this.cacheBlocks = opts.cacheBlocks ?? 256;
    this.readAhead = opts.readAhead ?? 3;
  }

  private cached(i: number): Uint8Array | null {
    const hit = this.blocks.get(i);
    if (hit) {
      this.blocks.delete(i); // most recently used last
      this.blocks.set(i, hit);
      return hit;
    }
    const stored = this.store?.get(i) ?? null;
    if (stored) this.keep(i, stored);
    return stored;
  }

  private keep(i: number, b: Uint8Array): void {
    this.blocks.set(i, b);
    while (this.blocks.size > this.cacheBlocks) this.blocks.delete(this.blocks.keys().next().value as number);
  }

  /** Fetch blocks [first, last] in one request and cache them. */
  private fetchBlocks(first: number, last: number): void {
    const start = first * this.blockSize;
    const end = Math.min(this.size, (last + 1) * this.blockSize) - 1;
    const bytes = this.fetch(start, end);
    for (let i = first; i <= last; i++) {
      const a = (i - first) * this.blockSize;
      const block = bytes.slice(a, Math.min(bytes.length, a + this.blockSize));
      this.keep(i, block);
      this.store?.put(i, block);
    }
  }

  /** Copy bytes [position, position + length) into out at offset; returns the count (short at the end). */
  read(out: Uint8Array, offset: number, length: number, position: number): number {
    const end = Math.min(this.size, position + length);
    if (end <= position) return 0;
    const first = Math.floor(position / this.blockSize);
    const last = Math.floor((end - 1) / this.blockSize);
    const lastBlock = Math.floor((this.size - 1) / this.blockSize);
    // Missing runs of blocks are fetched in one request each, with read-ahead after the last.
    let i = first;
    while (i <= last) {
      if (this.cached(i)) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 <= last && !this.cached(j + 1)) j++;
      let ahead = j;
      while (ahead < Math.min(lastBlock, j + this.readAhead) && !this.blocks.has(ahead + 1) && !this.store?.has(ahead + 1)) ahead++;
      this.fetchBlocks(i, ahead);
      i = j + 1;
    }
    let written = 0;
    for (let b = first; b <= last; b++) {
      // A read larger than the cache may have evicted its first blocks: fetch such a block again.
      let block = this.cached(b);
      if (!block) {
        this.fetchBlocks(b, b);
        block = this.cached(b)!;
      }
      const from = b === first ? position - b * this.blockSize : 0;
      const to = b === last ? end - b * this.blockSize : block.length;
      out.set(block.subarray(from, to), offset + written);
      written += to - from;
    }
    return written;
  }
}
