/**
 * The HTTP thread of RemoteFile: ranged GETs (redirects followed by fetch) with a timeout and a
 * bounded number of retries with backoff on what can succeed later (timeouts, dropped connections,
 * 5xx); what cannot (a refused connection, an unknown host, a TLS failure, a redirect loop or a
 * redirect off http(s)) fails at once, named. The caller waits
 * on control[0] (1 = done, 2 = failed); control[1] the bytes written, control[2] the HTTP status.
 * A failure's message goes to `message` (UTF-8, zero-terminated).
 */

import { parentPort } from 'node:worker_threads';

interface RangeRequest {
  url: string;
  /** The ETag seen when the file was opened: sent as If-Range, so a changed file is noticed. */
  etag: string | null;
  start: number;
  /** Inclusive. */
  end: number;
  out: Uint8Array;
  control: Int32Array;
  message: Uint8Array;
  /** For the probe: the response headers (content-range, etag) as JSON, zero-terminated. */
  headers: Uint8Array;
  probe: boolean;
  retries: number;
  timeoutMs: number;
}

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
  return { message: code && !why.includes(code) ? `${why} (${code})` : why, permanent: false };
}

async function fetchRange(req: RangeRequest): Promise<void> {
  let lastError = '';
  for (let attempt = 0; attempt <= req.retries; attempt++) {
    if (attempt > 0) await sleep(250 * 2 ** (attempt - 1));
    try {
      const headers: Record<string, string> = { Range: `bytes=${req.start}-${req.end}` };
      if (req.etag) headers['If-Range'] = req.etag;
      const res = await fetch(req.url, { headers, redirect: 'follow', signal: AbortSignal.timeout(req.timeoutMs) });
      Atomics.store(req.control, 2, res.status);
      if (res.status >= 500) {
        lastError = `HTTP ${res.status} ${res.statusText}`;
        await res.body?.cancel();
        continue;
      }
      if (res.status !== 206) {
        await res.body?.cancel();
        if (res.status === 200 && req.etag)
          throw new PermanentFailure(`the file changed on the server while it was being read (its ETag is no longer ${req.etag}); run the command again`);
        throw new PermanentFailure(res.status === 200 ? 'the server ignores Range requests (it sent the whole file)' : `HTTP ${res.status} ${res.statusText}`);
      }
      if (req.probe) {
        const text = new TextEncoder().encode(
          JSON.stringify({
            'content-range': res.headers.get('content-range') ?? '',
            ...(res.headers.get('etag') ? { etag: res.headers.get('etag') } : {}),
          }).slice(0, 4000),
        );
        req.headers.set(text);
        req.headers[text.length] = 0;
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.length > req.end - req.start + 1) {
        throw new PermanentFailure(
          `the server sent ${bytes.length} bytes for a range of ${req.end - req.start + 1} (it does not answer Range requests correctly)`,
        );
      }
      // A response cut short (a dropped connection) is retried, never used.
      if (bytes.length !== req.end - req.start + 1) {
        lastError = `the response ended after ${bytes.length} of ${req.end - req.start + 1} bytes`;
        continue;
      }
      const n = Math.min(bytes.length, req.out.length);
      req.out.set(bytes.subarray(0, n));
      Atomics.store(req.control, 1, n);
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

parentPort!.on('message', (req: RangeRequest) => {
  fetchRange(req)
    .catch((err: Error) => {
      const text = new TextEncoder().encode(err.message.slice(0, 900));
      req.message.set(text);
      req.message[text.length] = 0;
      Atomics.store(req.control, 0, 2);
    })
    .finally(() => Atomics.notify(req.control, 0));
});
