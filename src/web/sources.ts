/**
 * The browser app's two ways to a recording's bytes, both read synchronously inside a Web Worker
 * (HDF5 reads synchronously; a worker may block) through the Node reader's block cache:
 * a file on an HTTP(S) server by ranged XMLHttpRequests, checked as the Node reader checks its
 * answers (rangeAnswer.ts), and a local file (File API) read in place by FileReaderSync, one slice
 * at a time: never read whole, never uploaded.
 */

import { BlockCache, type BlockCacheOptions } from '../../adapters/remote/blockCache.js';
import { checkRangeAnswer, PermanentFailure, validator, type RangeAnswer, type RangeAsk, type Validators } from '../../adapters/remote/rangeAnswer.js';
import type { ByteSource } from '../../adapters/nwb/h5.js';
import { InputError } from '../core/matrix.js';

export interface SourceOptions extends BlockCacheOptions {
  /** Called after every read from the origin with the bytes read so far. */
  onFetch?: (fetchedBytes: number, size: number) => void;
  /** Tries of a request that may succeed later (5xx, a dropped connection); default 3. */
  retries?: number;
  timeoutMs?: number;
}

/** What a page can say about a request the browser refused to complete (it gives no reason). */
const UNREADABLE =
  'the request failed: the server cannot be reached, or it does not let other sites read the file (CORS: it must answer with Access-Control-Allow-Origin and expose Content-Range); download the file and open it from the disk instead';

/** The shared checks of rangeAnswer.ts, and first whether a page may read Content-Range at all. */
function checkAnswer(answer: RangeAnswer, ask: RangeAsk): ReturnType<typeof checkRangeAnswer> {
  if (answer.status === 206 && answer.header('content-range') === null)
    throw new PermanentFailure(
      'the server answers ranges but does not let this page read its Content-Range header (CORS: it must send Access-Control-Expose-Headers: Content-Range, ETag)',
    );
  return checkRangeAnswer(answer, ask);
}

/** A failure's message as the page gives it (what to do instead, where there is something). */
function userText(err: PermanentFailure): string {
  return /ignores Range/.test(err.message)
    ? 'the server does not answer Range requests (it sent the whole file); download the file and open it from the disk instead'
    : err.message;
}

/** A file on an HTTP(S) server, read by byte ranges. */
export class HttpRangeSource implements ByteSource {
  readonly kind = 'url' as const;
  failure: InputError | null = null;
  fetchedBytes = 0;
  requests = 0;
  private readonly cache: BlockCache;

  private constructor(
    readonly url: string,
    readonly size: number,
    private readonly validators: Validators,
    private readonly opts: SourceOptions,
  ) {
    this.cache = new BlockCache(size, (start, end) => this.request(start, end), opts);
  }

  get etag(): string | null {
    return this.validators.etag;
  }

  /**
   * Ask the server for the file's size and validators: a one-byte ranged GET by fetch, whose body is
   * cancelled unread, so a server that ignores Range (and starts sending the whole file) costs
   * nothing; the blocks then come by synchronous requests (HDF5 reads synchronously).
   */
  static async open(url: string, opts: SourceOptions = {}): Promise<HttpRangeSource> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InputError(`${url}: not a valid URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new InputError(`${url}: not an http(s) URL`);
    if (parsed.username !== '' || parsed.password !== '')
      throw new InputError(
        `${url.replace(/\/\/[^/@]*@/, '//***@')}: the URL carries a user name or password; give a URL without them (e.g. a pre-signed link)`,
      );
    const timeoutMs = opts.timeoutMs ?? 30000;
    const retries = opts.retries ?? 3;
    let last = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, { headers: { Range: 'bytes=0-0' }, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        if ((err as Error).name !== 'TimeoutError') throw new InputError(`${url}: ${UNREADABLE}`);
        last = `no answer within ${timeoutMs / 1000} s`;
        continue;
      }
      const answer: RangeAnswer = { status: res.status, statusText: res.statusText, header: (name) => res.headers.get(name) };
      try {
        const checked = checkAnswer(answer, { start: 0, end: 0, total: null, validators: { etag: null, lastModified: null }, probe: true });
        if (checked === 'retry') {
          last = `HTTP ${res.status}`;
          continue;
        }
        return new HttpRangeSource(url, checked.total, { etag: validator(answer, 'etag'), lastModified: validator(answer, 'last-modified') }, opts);
      } catch (err) {
        throw err instanceof PermanentFailure ? new InputError(`${url}: ${userText(err)}`) : err;
      } finally {
        void res.body?.cancel().catch(() => undefined);
      }
    }
    throw new InputError(`${url}: ${last} (after ${retries + 1} attempts)`);
  }

  private send(start: number, end: number): XMLHttpRequest {
    const xhr = new XMLHttpRequest();
    xhr.open('GET', this.url, false);
    xhr.responseType = 'arraybuffer';
    // Range alone is a CORS-safelisted header (no preflight); a changed file is caught by its validators.
    xhr.setRequestHeader('Range', `bytes=${start}-${end}`);
    xhr.timeout = this.opts.timeoutMs ?? 30000;
    xhr.send();
    return xhr;
  }

  private answer(xhr: XMLHttpRequest): RangeAnswer {
    return { status: xhr.status, statusText: xhr.statusText, header: (name) => xhr.getResponseHeader(name) };
  }

  /** One ranged GET (retried when it may succeed later); its answer checked before a byte is used. */
  private request(start: number, end: number): Uint8Array {
    if (this.failure) throw this.failure;
    const retries = this.opts.retries ?? 3;
    let last = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      let xhr: XMLHttpRequest;
      try {
        xhr = this.send(start, end);
      } catch (err) {
        last = (err as Error).name === 'TimeoutError' ? `no answer within ${(this.opts.timeoutMs ?? 30000) / 1000} s` : UNREADABLE;
        // A refusal by CORS or an unreachable host does not change on a second try.
        if (last === UNREADABLE) break;
        continue;
      }
      this.requests++;
      const answer = this.answer(xhr);
      try {
        const checked = checkAnswer(answer, { start, end, total: this.size, validators: this.validators, probe: false });
        if (checked === 'retry') {
          last = `HTTP ${xhr.status}`;
          continue;
        }
        const bytes = new Uint8Array(xhr.response as ArrayBuffer);
        if (bytes.length !== checked.expected) {
          last = `the response ended after ${bytes.length} of ${checked.expected} bytes`;
          continue;
        }
        this.fetchedBytes += bytes.length;
        this.opts.onFetch?.(this.fetchedBytes, this.size);
        return bytes;
      } catch (err) {
        if (err instanceof PermanentFailure) {
          this.failure = new InputError(`${this.url}: ${userText(err)}`);
          throw this.failure;
        }
        throw err;
      }
    }
    this.failure = new InputError(`${this.url}: ${last}${last === UNREADABLE ? '' : ` (after ${retries + 1} attempts)`}`);
    throw this.failure;
  }

  read(out: Uint8Array, offset: number, length: number, position: number): number {
    return this.cache.read(out, offset, length, position);
  }

  close(): void {}
}

/** A local file chosen in the page, read in place by slices. */
export class LocalFileSource implements ByteSource {
  readonly kind = 'file' as const;
  readonly etag = null;
  failure: InputError | null = null;
  fetchedBytes = 0;
  requests = 0;
  private readonly cache: BlockCache;
  private readonly reader = new FileReaderSync();

  constructor(
    private readonly file: File,
    private readonly opts: SourceOptions = {},
  ) {
    this.cache = new BlockCache(file.size, (start, end) => this.slice(start, end), opts);
  }

  get size(): number {
    return this.file.size;
  }

  private slice(start: number, end: number): Uint8Array {
    if (this.failure) throw this.failure;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(this.reader.readAsArrayBuffer(this.file.slice(start, end + 1)));
    } catch (err) {
      this.failure = new InputError(
        `${this.file.name}: the file could not be read (${(err as Error).message}); was it changed or removed since it was chosen?`,
      );
      throw this.failure;
    }
    this.requests++;
    this.fetchedBytes += bytes.length;
    this.opts.onFetch?.(this.fetchedBytes, this.size);
    return bytes;
  }

  read(out: Uint8Array, offset: number, length: number, position: number): number {
    return this.cache.read(out, offset, length, position);
  }

  close(): void {}
}
