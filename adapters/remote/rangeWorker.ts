/**
 * The HTTP thread of RemoteFile: ranged GETs (redirects followed by fetch) with a timeout and a
 * bounded number of retries with backoff on timeouts, network errors and 5xx. The caller waits
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
          throw new Error(`the file changed on the server while it was being read (its ETag is no longer ${req.etag}); run the command again`);
        throw new Error(res.status === 200 ? 'the server ignores Range requests (it sent the whole file)' : `HTTP ${res.status} ${res.statusText}`);
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
      const e = err as Error;
      if (e.message.startsWith('the server ignores') || e.message.startsWith('the file changed') || /^HTTP [1-4]/.test(e.message)) throw e;
      lastError = e.name === 'TimeoutError' ? `no answer within ${req.timeoutMs / 1000} s` : e.message;
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
