/**
 * A file on an HTTP(S) server read synchronously by byte ranges, for HDF5 (h5wasm) to read as if
 * it were local. Reads go through the block cache (blockCache.ts: LRU blocks, runs of misses in
 * one request, read-ahead), shared with the browser app's readers. With a cache folder, blocks
 * persist between runs, keyed by the URL, the server's validators (ETag, else Last-Modified) and
 * the size; a server that gives neither validator cannot tell a changed file from the cached one,
 * so its blocks are not kept.
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
import type { Validators } from './rangeAnswer.js';
import { BlockCache, type BlockCacheOptions, type BlockStore } from './blockCache.js';

/** The URL with any user name and password replaced by ***, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@');
}

/** Blocks that persist between runs in a folder, one file per block. */
function folderStore(dir: string): BlockStore {
  const file = (i: number) => join(dir, String(i));
  return {
    has: (i) => existsSync(file(i)),
    get: (i) => (existsSync(file(i)) ? new Uint8Array(readFileSync(file(i))) : null),
    put: (i, block) => writeFileAtomic(file(i), block),
  };
}

export interface RemoteOptions extends BlockCacheOptions {
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
  readonly kind = 'url' as const;
  readonly size: number;
  readonly etag: string | null;
  readonly lastModified: string | null;
  /** The first read that failed: every later read fails with it too. */
  failure: InputError | null = null;
  /** Bytes received from the server (not from a cache). */
  fetchedBytes = 0;
  requests = 0;
  private readonly cache: BlockCache;
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
    const key = validators.etag !== null ? `etag ${validators.etag}` : validators.lastModified !== null ? `last-modified ${validators.lastModified}` : null;
    const diskDir = opts.cacheDir && key !== null && !probe ? join(opts.cacheDir, sha256Hex(`${url}\n${key}\n${size}`).slice(0, 32)) : null;
    if (opts.cacheDir && key === null && !probe)
      opts.onNote?.(
        `${redactUrl(url)}: the server gives no ETag or Last-Modified, so a changed file cannot be told from a cached one: blocks are not kept between runs`,
      );
    if (diskDir) mkdirSync(diskDir, { recursive: true });
    this.cache = new BlockCache(size, (start, end) => this.request(start, end).bytes, opts, diskDir ? folderStore(diskDir) : null);
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

  /** Copy bytes [position, position + length) into out at offset; returns the count (short at the end). */
  read(out: Uint8Array, offset: number, length: number, position: number): number {
    return this.cache.read(out, offset, length, position);
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = null;
  }
}
