/** A small HTTP server for the remote-reading tests: Range requests, ETag, redirects, failures on demand. */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';

export interface TestServer {
  base: string;
  /** Ranged requests answered so far, and their bytes. */
  stats: { requests: number; bytes: number };
  /** 503 for the next N requests. */
  failNext: (n: number) => void;
  close: () => Promise<void>;
}

/** Serves `files` (name -> path) at /<name>; /redirect/<name> answers 302 to it; /norange/<name> ignores Range. */
export async function startServer(files: Record<string, string>): Promise<TestServer> {
  const stats = { requests: 0, bytes: 0 };
  let failing = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (failing > 0) {
      failing--;
      res.writeHead(503).end('busy');
      return;
    }
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'redirect') {
      res.writeHead(302, { Location: `/${parts.slice(1).join('/')}` }).end();
      return;
    }
    const noRange = parts[0] === 'norange';
    const name = noRange ? parts[1] : parts[0];
    const path = files[name];
    if (!path) {
      res.writeHead(404).end('no such file');
      return;
    }
    const data = readFileSync(path);
    const etag = `"${data.length}-${name}"`;
    const m = /^bytes=(\d+)-(\d+)?$/.exec(req.headers.range ?? '');
    if (!m || noRange) {
      res.writeHead(200, { 'Content-Length': data.length, ETag: etag }).end(data);
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(data.length - 1, m[2] === undefined ? data.length - 1 : Number(m[2]));
    stats.requests++;
    stats.bytes += end - start + 1;
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${data.length}`, 'Content-Length': end - start + 1, ETag: etag, 'Accept-Ranges': 'bytes' }).end(data.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    stats,
    failNext: (n) => (failing = n),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
