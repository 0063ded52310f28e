/**
 * A static file server for the browser app's tests, on another port than the app (another origin,
 * as an archive is): byte ranges read from disk (a file of gigabytes is never loaded), ETag and
 * Last-Modified, CORS with the headers a range reader needs exposed. /nocors/<name> answers without
 * CORS headers, /norange/<name> ignores Range; every request is counted with its bytes.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

export interface FileServer {
  base: string;
  stats: { requests: number; bytes: number };
  close: () => Promise<void>;
}

export async function startFileServer(files: Record<string, string>): Promise<FileServer> {
  const stats = { requests: 0, bytes: 0 };
  const server: Server = createServer((req, res) => {
    const parts = new URL(req.url ?? '/', 'http://x').pathname.split('/').filter(Boolean);
    const mode = parts[0] === 'nocors' || parts[0] === 'norange' ? parts[0] : '';
    const name = mode ? parts[1] : parts[0];
    const cors: Record<string, string> =
      mode === 'nocors'
        ? {}
        : {
            'Access-Control-Allow-Origin': '*',
            'Access-Control-Allow-Headers': 'Range',
            'Access-Control-Expose-Headers': 'Content-Range, Content-Length, ETag, Last-Modified',
            // The app is cross-origin isolated (COEP require-corp): a CORS answer suffices, this says it too.
            'Cross-Origin-Resource-Policy': 'cross-origin',
          };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'GET, HEAD' }).end();
      return;
    }
    const path = files[name ?? ''];
    if (!path) {
      res.writeHead(404, cors).end('no such file');
      return;
    }
    const st = statSync(path);
    const size = st.size;
    const validators = {
      ETag: `"${size}-${st.mtimeMs}"`,
      'Last-Modified': st.mtime.toUTCString(),
      'Content-Type': TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream',
    };
    const m = /^bytes=(\d+)-(\d+)?$/.exec(req.headers.range ?? '');
    stats.requests++;
    if (!m || mode === 'norange') {
      // The whole file, streamed (never loaded): the test of a server without ranges reads only its head.
      res.writeHead(200, { ...cors, ...validators, 'Content-Length': size });
      const fd = openSync(path, 'r');
      const buf = Buffer.alloc(1 << 20);
      let at = 0;
      const pump = () => {
        while (at < size) {
          const n = readSync(fd, buf, 0, Math.min(buf.length, size - at), at);
          at += n;
          stats.bytes += n;
          if (!res.write(buf.subarray(0, n))) return void res.once('drain', pump);
        }
        closeSync(fd);
        res.end();
      };
      res.on('close', () => {
        if (at < size) {
          at = size;
          closeSync(fd);
        }
      });
      pump();
      return;
    }
    const start = Number(m[1]);
    const end = Math.min(size - 1, m[2] === undefined ? size - 1 : Number(m[2]));
    const body = Buffer.alloc(end - start + 1);
    const fd = openSync(path, 'r');
    try {
      readSync(fd, body, 0, body.length, start);
    } finally {
      closeSync(fd);
    }
    stats.bytes += body.length;
    res.writeHead(206, { ...cors, ...validators, 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': body.length, 'Accept-Ranges': 'bytes' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    // 'localhost' rather than the app's 127.0.0.1: another host, as an archive is.
    base: `http://localhost:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
