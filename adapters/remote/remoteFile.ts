/**
 * A file on an HTTP(S) server read synchronously by byte ranges, for HDF5 (h5wasm) to read as if
 * it were local. Reads go through an LRU cache of fixed-size blocks; a read that misses several
 * consecutive blocks fetches them in one request (the large contiguous reads of spike times), and
 * a miss also reads ahead a few blocks. With a cache folder, blocks persist between runs, keyed by
 * the URL, the server's validators (ETag, else Last-Modified) and the size; a server that gives
 * neither validator cannot tell a changed file from the cached one, so its blocks are not kept.
 * The requests run on a worker thread; the caller waits with Atomics.wait (HDF5 reads
 * synchronously). The first failed read is kept (`failure`): HDF5 may swallow the error a read
 * callback raises, so its reader asks here before trusting what it read.
 */

import { sha256Hex, writeFileAtomic } from '../../src/io/files.js';
import { startWorker } from '../../src/runtime/startWorker.js';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { InputError } from '../../src/core/matrix.js';
import type { Validators } from './rangeWorker.js';

/** The URL with any user name and password replaced by ***, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@');
}

export interface RemoteOptions {
  /** Block size in bytes (default 256 KiB: see README, remote recordings). */
  blockSize?: number;
  /** Blocks kept in memory (default 256, i.e. 64 MiB). */
  cacheBlocks?: number;
  /** Blocks read ahead on a miss (default 3). */
  readAhead?: number;
  /** A folder where fetched blocks persist between runs. */
  cacheDir?: string;
  retries?: number;
  timeoutMs?: number;
  /** Called after every request with the bytes fetched so far. */
  onFetch?: (fetchedBytes: number, size: number) => void;
  /** Called once with a note for the user (e.g. why blocks are not cached between runs). */
  onNote?: (note: string) => void;
}

export class RemoteFile {
  readonly size: number;
  readonly etag: string | null;
  readonly lastModified: string | null;
  /** The first read that failed: every later read fails with it too. */
  failure: InputError | null = null;
  /** Bytes received from the server (not from a cache). */
  fetchedBytes = 0;
  requests = 0;
  private readonly blockSize: number;
  private readonly cacheBlocks: number;
  private readonly readAhead: number;
  private readonly blocks = new Map<number, Uint8Array>();
  private readonly diskDir: string | null;
  private worker: Worker | null = null;

  private constructor(
    readonly url: string,
    size: number,
    validators: Validators,
    private readonly opts: RemoteOptions,
    probe = false,
  ) {
    this.size = size;
    this.etag = validators.etag;
    this.lastModified = validators.lastModified;
    this.blockSize = opts.blockSize ?? 256 * 1024;
    this.cacheBlocks = opts.cacheBlocks ?? 256;
    this.readAhead = opts.readAhead ?? 3;
    const key = validators.etag !== null ? `etag ${validators.etag}` : validators.lastModified !== null ? `last-modified ${validators.lastModified}` : null;
    this.diskDir = opts.cacheDir && key !== null && !probe ? join(opts.cacheDir, sha256Hex(`${url}\n${key}\n${size}`).slice(0, 32)) : null;
    if (opts.cacheDir && key === null && !probe)
      opts.onNote?.(
        `${redactUrl(url)}: the server gives no ETag or Last-Modified, so a changed file cannot be told from a cached one: blocks are not kept between runs`,
      );
    if (this.diskDir) mkdirSync(this.diskDir, { recursive: true });
  }

  /** Ask the server for the file's size and validators (a one-byte ranged GET, redirects followed). */
  static open(url: string, opts: RemoteOptions = {}): RemoteFile {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InputError(`${redactUrl(url)}: not a valid URL`);
    }
    if (parsed.username !== '' || parsed.password !== '')
      throw new InputError(
        `${redactUrl(url)}: the URL carries a user name or password; neurorep does not send credentials (they would be kept in run records and logs): give a URL without them (e.g. a pre-signed link) or download the file first`,
      );
    const probe = new RemoteFile(url, 1, { etag: null, lastModified: null }, opts, true);
    try {
      const { status, headers } = probe.request(0, 0, true);
      const total = Number(headers.total);
      if (status !== 206 || !(total > 0))
        throw new InputError(
          `${url}: the server does not answer Range requests (HTTP ${status}); download the file first (e.g. curl -LO '${url}') and analyze the local copy`,
        );
      return new RemoteFile(url, total, { etag: (headers.etag as string | null) ?? null, lastModified: (headers.lastModified as string | null) ?? null }, opts);
    } finally {
      probe.close();
    }
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker(import.meta.url, 'rangeWorker');
    w.unref();
    return (this.worker = w);
  }

  /** One ranged GET of bytes [start, end] (inclusive), waiting for it. */
  private request(start: number, end: number, probe = false): { bytes: Uint8Array; status: number; headers: Record<string, string | number | null> } {
    if (this.failure) throw this.failure;
    const out = new Uint8Array(new SharedArrayBuffer(end - start + 1));
    const control = new Int32Array(new SharedArrayBuffer(12));
    const message = new Uint8Array(new SharedArrayBuffer(1024));
    const headers = new Uint8Array(new SharedArrayBuffer(probe ? 4096 : 1));
    const timeoutMs = this.opts.timeoutMs ?? (Number(process.env.NEUROREP_REMOTE_TIMEOUT_MS) > 0 ? Number(process.env.NEUROREP_REMOTE_TIMEOUT_MS) : 30000);
    this.start().postMessage({
      url: this.url,
      validators: { etag: this.etag, lastModified: this.lastModified },
      total: probe ? null : this.size,
      start,
      end,
      out,
      control,
      message,
      headers,
      retries: this.opts.retries ?? 3,
      timeoutMs,
      probe,
    });
    Atomics.wait(control, 0, 0);
    this.requests++;
    if (Atomics.load(control, 0) !== 1) {
      const text = new TextDecoder().decode(message.slice(0, message.indexOf(0) < 0 ? message.length : message.indexOf(0)));
      if (probe && /ignores Range/.test(text)) return { bytes: new Uint8Array(0), status: 200, headers: {} };
      this.failure = new InputError(`${this.url}: ${text}`);
      throw this.failure;
    }
    const n = Atomics.load(control, 1);
    this.fetchedBytes += n;
    this.opts.onFetch?.(this.fetchedBytes, this.size);
    let parsed: Record<string, string | number | null> = {};
    if (probe) {
      const text = new TextDecoder().decode(headers.slice(0, headers.indexOf(0) < 0 ? headers.length : headers.indexOf(0)));
      parsed = JSON.parse(text || '{}') as Record<string, string | number | null>;
    }
    return { bytes: out.slice(0, n), status: Atomics.load(control, 2), headers: parsed };
  }

  private cached(i: number): Uint8Array | null {
    const hit = this.blocks.get(i);
    if (hit) {
      this.blocks.delete(i); // most recently used last
      this.blocks.set(i, hit);
      return hit;
    }
    if (this.diskDir) {
      const f = join(this.diskDir, String(i));
      if (existsSync(f)) {
        const b = new Uint8Array(readFileSync(f));
        this.keep(i, b, false);
        return b;
      }
    }
    return null;
  }

  private keep(i: number, b: Uint8Array, persist: boolean): void {
    this.blocks.set(i, b);
    while (this.blocks.size > this.cacheBlocks) this.blocks.delete(this.blocks.keys().next().value as number);
    if (persist && this.diskDir) {
      writeFileAtomic(join(this.diskDir, String(i)), b);
    }
  }

  /** Fetch blocks [first, last] in one request and cache them. */
  private fetchBlocks(first: number, last: number): void {
    const start = first * this.blockSize;
    const end = Math.min(this.size, (last + 1) * this.blockSize) - 1;
    const { bytes } = this.request(start, end);
    for (let i = first; i <= last; i++) {
      const a = (i - first) * this.blockSize;
      this.keep(i, bytes.slice(a, Math.min(bytes.length, a + this.blockSize)), true);
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
      while (
        ahead < Math.min(lastBlock, j + this.readAhead) &&
        !this.blocks.has(ahead + 1) &&
        !(this.diskDir && existsSync(join(this.diskDir, String(ahead + 1))))
      )
        ahead++;
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

  close(): void {
    void this.worker?.terminate();
    this.worker = null;
  }
}
