/**
 * The HTTP thread of RemoteFile: ranged GETs (redirects followed by fetch) with a timeout and a
 * bounded number of retries with backoff on what can succeed later (timeouts, dropped connections,
 * 5xx); what cannot (a refused connection, an unknown host, a TLS failure, a redirect loop or a
 * redirect off http(s), a malformed request) fails at once, named.
 *
 * Every answer is checked before a byte of it is used (rangeAnswer.ts, shared with the browser
 * app): status 206, a Content-Range whose start, end and total are the ones asked for, the
 * validators seen when the file was opened (ETag, Last-Modified) unchanged, no content encoding
 * (bytes of a compressed body are not the file's bytes, and an inflating body has no bound); and
 * here, a body read as a stream that may not exceed the length asked for. A server that ignores If-Range while the file changes is thus caught by its
 * validators; one that shifts or pads its ranges by Content-Range or the length.
 *
 * The caller waits on control[0] (1 = done, 2 = failed); control[1] the bytes written, control[2]
 * the HTTP status. A failure's message goes to `message` (UTF-8, zero-terminated).
 */

import { parentPort } from 'node:worker_threads';
import { checkRangeAnswer, ifRangeOf, PermanentFailure, shown, validator, type RangeAnswer, type Validators } from './rangeAnswer.js';

interface RangeRequest {
  url: string;
  /** Seen when the file was opened (none for the probe that opens it). */
  validators: Validators;
  /** The file's size seen when it was opened; null for the probe. */
  total: number | null;
  start: number;
  /** Inclusive. */
  end: number;
  out: Uint8Array;
  control: Int32Array;
  message: Uint8Array;
  /** For the probe: the file's size and validators as JSON, zero-terminated. */
  headers: Uint8Array;
  probe: boolean;
  retries: number;
  timeoutMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fetch error in words, and whether it is permanent (undici reports the cause in `cause`). */
function describe(err: unknown, timeoutMs: number): { message: string; permanent: boolean } {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return { message: `no answer within ${timeoutMs / 1000} s`, permanent: false };
  const code = e.cause?.code ?? '';
  const why = e.cause?.message ?? e.message;
  if (code === 'ECONNREFUSED') return { message: 'connection refused (nothing listens at that address and port)', permanent: true };
  if (code === 'ENOTFOUND') return { message: 'host not found (the name does not resolve)', permanent: true };
  if (/^(ERR_TLS|ERR_SSL)|CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return { message: `TLS handshake failed (${code})`, permanent: true };
  if (/redirect count exceeded/.test(why)) return { message: 'too many redirects (a redirect loop?)', permanent: true };
  if (/URL scheme must be a HTTP\(S\) scheme/.test(why)) return { message: 'redirected to an address that is not http(s); refused', permanent: true };
  if (/bad port/.test(why)) return { message: 'a port fetch refuses to use (bad port)', permanent: true };
  // A request that could not even be built (a malformed URL or header) fails the same way every time.
  if (e.name === 'TypeError' && e.cause === undefined) return { message: `the request cannot be made: ${e.message}`, permanent: true };
  return { message: code && !why.includes(code) ? `${why} (${code})` : why, permanent: false };
}

/** The body as a stream into a buffer of `limit` bytes; more than that is refused, never buffered. */
async function readBody(res: Response, limit: number): Promise<Uint8Array> {
  const out = new Uint8Array(limit);
  let n = 0;
  if (!res.body) return out.subarray(0, 0);
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (n + value.length > limit) {
      await reader.cancel();
      throw new PermanentFailure(`the server sent more than the ${limit} bytes asked for (it does not answer Range requests correctly)`);
    }
    out.set(value, n);
    n += value.length;
  }
  return out.subarray(0, n);
}

async function fetchRange(req: RangeRequest): Promise<void> {
  let lastError = '';
  for (let attempt = 0; attempt <= req.retries; attempt++) {
    if (attempt > 0) await sleep(250 * 2 ** (attempt - 1));
    try {
      const headers: Record<string, string> = { Range: `bytes=${req.start}-${req.end}`, 'Accept-Encoding': 'identity' };
      // If-Range takes a strong ETag or a date; a weak ETag would make every answer a whole file.
      const ifRange = ifRangeOf(req.validators);
      if (ifRange) headers['If-Range'] = ifRange;
      const res = await fetch(req.url, { headers, redirect: 'follow', signal: AbortSignal.timeout(req.timeoutMs) });
      Atomics.store(req.control, 2, res.status);
      const answer: RangeAnswer = { status: res.status, statusText: res.statusText, header: (name) => res.headers.get(name) };
      let checked: ReturnType<typeof checkRangeAnswer>;
      try {
        checked = checkRangeAnswer(answer, req);
      } catch (err) {
        await res.body?.cancel();
        throw err;
      }
      if (checked === 'retry') {
        lastError = `HTTP ${res.status}${res.statusText ? ` ${shown(res.statusText, 60)}` : ''}`;
        await res.body?.cancel();
        continue;
      }
      const { expected, total } = checked;
      if (req.probe) {
        writeText(
          req.headers,
          JSON.stringify({ total, etag: validator(answer, 'etag'), lastModified: validator(answer, 'last-modified') } satisfies Validators & { total: number }),
        );
      }
      const bytes = await readBody(res, expected);
      // A response cut short (a dropped connection) is retried, never used.
      if (bytes.length !== expected) {
        lastError = `the response ended after ${bytes.length} of ${expected} bytes`;
        continue;
      }
      req.out.set(bytes.subarray(0, Math.min(bytes.length, req.out.length)));
      Atomics.store(req.control, 1, Math.min(bytes.length, req.out.length));
      Atomics.store(req.control, 0, 1);
      return;
    } catch (err) {
      if (err instanceof PermanentFailure) throw err;
      const d = describe(err, req.timeoutMs);
      if (d.permanent) throw new PermanentFailure(d.message);
      lastError = d.message;
    }
  }
  throw new Error(`${lastError} (after ${req.retries + 1} attempts)`);
}

/** Text into a shared buffer as UTF-8, zero-terminated, cut to fit (never a RangeError). */
function writeText(buffer: Uint8Array, text: string): void {
  const room = new Uint8Array(buffer.length - 1);
  const { written } = new TextEncoder().encodeInto(text, room);
  buffer.set(room.subarray(0, written));
  buffer[written] = 0;
}

parentPort!.on('message', (req: RangeRequest) => {
  fetchRange(req)
    .catch((err: Error) => {
      writeText(req.message, err.message);
      Atomics.store(req.control, 0, 2);
    })
    .finally(() => Atomics.notify(req.control, 0));
});
