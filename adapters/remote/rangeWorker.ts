/**
 * The HTTP thread of RemoteFile: ranged GETs (redirects followed by fetch) with a timeout and a
 * bounded number of retries with backoff on what can succeed later (timeouts, dropped connections,
 * 5xx); what cannot (a refused connection, an unknown host, a TLS failure, a redirect loop or a
 * redirect off http(s), a malformed request) fails at once, named.
 *
 * Every answer is checked before a byte of it is used: status 206, a Content-Range whose start,
 * end and total are the ones asked for, the validators seen when the file was opened (ETag,
 * Last-Modified) unchanged, no content encoding (bytes of a compressed body are not the file's
 * bytes, and an inflating body has no bound), and a body read as a stream that may not exceed the
 * length asked for. A server that ignores If-Range while the file changes is thus caught by its
 * validators; one that shifts or pads its ranges by Content-Range or the length.
 *
 * The caller waits on control[0] (1 = done, 2 = failed); control[1] the bytes written, control[2]
 * the HTTP status. A failure's message goes to `message` (UTF-8, zero-terminated).
 */

import { parentPort } from 'node:worker_threads';

export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

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

/** Longest ETag or Last-Modified accepted: a validator is a short token, never a payload. */
const MAX_VALIDATOR = 512;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A failure that trying again cannot change: reported at once, never retried. */
class PermanentFailure extends Error {}

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

/** A header from the server, shortened for a message (a reason phrase or header may be anything). */
function shown(value: string, max = 120): string {
  return value.length > max ? `${value.slice(0, max)}... (${value.length} characters)` : value;
}

/** A validator header, or null; refused when it is too long to be one. */
function validator(res: Response, name: string): string | null {
  const v = res.headers.get(name);
  if (v === null) return null;
  if (v.length > MAX_VALIDATOR) throw new PermanentFailure(`the server's ${name} header is ${v.length} characters long (at most ${MAX_VALIDATOR} accepted)`);
  return v;
}

/** The validators of an answer differ from those seen when the file was opened. */
function changed(res: Response, seen: Validators): string | null {
  const etag = validator(res, 'etag');
  const lastModified = validator(res, 'last-modified');
  if (seen.etag !== null && etag !== seen.etag) return `its ETag is no longer ${shown(seen.etag, 60)}`;
  if (seen.lastModified !== null && lastModified !== seen.lastModified) return `its Last-Modified is no longer ${seen.lastModified}`;
  return null;
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
      const ifRange = req.validators.etag && !req.validators.etag.startsWith('W/') ? req.validators.etag : req.validators.lastModified;
      if (ifRange) headers['If-Range'] = ifRange;
      const res = await fetch(req.url, { headers, redirect: 'follow', signal: AbortSignal.timeout(req.timeoutMs) });
      Atomics.store(req.control, 2, res.status);
      const status = `HTTP ${res.status}${res.statusText ? ` ${shown(res.statusText, 60)}` : ''}`;
      if (res.status >= 500) {
        lastError = status;
        await res.body?.cancel();
        continue;
      }
      if (res.status !== 206) {
        await res.body?.cancel();
        if (res.status === 200 && !req.probe) {
          const why = changed(res, req.validators);
          if (why) throw new PermanentFailure(`the file changed on the server while it was being read (${why}); run the command again`);
        }
        throw new PermanentFailure(res.status === 200 ? 'the server ignores Range requests (it sent the whole file)' : status);
      }
      const encoding = res.headers.get('content-encoding');
      if (encoding !== null && encoding.trim().toLowerCase() !== 'identity') {
        await res.body?.cancel();
        throw new PermanentFailure(
          `the server compressed the range (Content-Encoding ${shown(encoding, 40)}) although it was asked not to; its bytes are not the file's`,
        );
      }
      const range = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec((res.headers.get('content-range') ?? '').trim());
      const total = range && range[3] !== '*' ? Number(range[3]) : null;
      if (!range || total === null) {
        await res.body?.cancel();
        throw new PermanentFailure(`the server's answer has no usable Content-Range (got '${shown(res.headers.get('content-range') ?? '', 60)}')`);
      }
      const expectedEnd = Math.min(req.end, (req.total ?? total) - 1);
      if (Number(range[1]) !== req.start || Number(range[2]) !== expectedEnd || (req.total !== null && total !== req.total)) {
        await res.body?.cancel();
        const why = req.total !== null && total !== req.total ? `the file is now ${total} bytes, not ${req.total}` : null;
        throw new PermanentFailure(
          why
            ? `the file changed on the server while it was being read (${why}); run the command again`
            : `the server answered bytes ${range[1]}-${range[2]} for a request of bytes ${req.start}-${req.end} (it does not answer Range requests correctly)`,
        );
      }
      if (!req.probe) {
        const why = changed(res, req.validators);
        if (why) {
          await res.body?.cancel();
          throw new PermanentFailure(`the file changed on the server while it was being read (${why}); run the command again`);
        }
      }
      const expected = expectedEnd - req.start + 1;
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (Number.isFinite(declared) && declared > expected) {
        await res.body?.cancel();
        throw new PermanentFailure(`the server sent ${declared} bytes for a range of ${expected} (it does not answer Range requests correctly)`);
      }
      if (req.probe) {
        writeText(
          req.headers,
          JSON.stringify({ total, etag: validator(res, 'etag'), lastModified: validator(res, 'last-modified') } satisfies Validators & { total: number }),
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
