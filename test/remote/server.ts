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
  /** The next N ranged responses send half their bytes and drop the connection. */
  dropNext: (n: number) => void;
  /** The next N requests wait this many ms before answering. */
  delayNext: (n: number, ms: number) => void;
  /** Serve another file under a name from now on (a new ETag). */
  replace: (name: string, path: string) => void;
  close: () => Promise<void>;
}

/** Serves `files` (name -> path) at /<name>; /redirect/<name> answers 302 to it; /norange/<name> ignores Range. */
export async function startServer(files: Record<string, string>): Promise<TestServer> {
  const stats = { requests: 0, bytes: 0 };
  const versions: Record<string, number> = {};
  let failing = 0,
    dropping = 0,
    delaying = 0,
    delayMs = 0;
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (delaying > 0) {
      delaying--;
      await new Promise((r) => setTimeout(r, delayMs));
    }
    if (failing > 0) {
      failing--;
      res.writeHead(503).end('busy');
      return;
    }
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'redirect') {
      // /redirect/redirect/x answers with a chain of redirects, one hop per 'redirect'.
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
    const etag = `"${data.length}-${name}-${versions[name] ?? 0}"`;
    const m = /^bytes=(\d+)-(\d+)?$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (!m || noRange || (ifRange && ifRange !== etag)) {
      res.writeHead(200, { 'Content-Length': data.length, ETag: etag }).end(data);
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(data.length - 1, m[2] === undefined ? data.length - 1 : Number(m[2]));
    stats.requests++;
    stats.bytes += end - start + 1;
    res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${data.length}`, 'Content-Length': end - start + 1, ETag: etag, 'Accept-Ranges': 'bytes' });
    if (dropping > 0 && end > start) {
      dropping--;
      res.write(data.subarray(start, start + Math.floor((end - start + 1) / 2)));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.end(data.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    stats,
    failNext: (n) => (failing = n),
    dropNext: (n) => (dropping = n),
    delayNext: (n, ms) => {
      delaying = n;
      delayMs = ms;
    },
    replace: (name, path) => {
      files[name] = path;
      versions[name] = (versions[name] ?? 0) + 1;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
