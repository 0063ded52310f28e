/**
 * Remote failures that cannot change are named and never retried; batch failure lines give the
 * reason once (issue "Hardening, third round (last part)", item 3). Servers are made here, on
 * 127.0.0.1.
 */

import test from 'ava';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tempDir } from '../helpers.js';
import { neurorepAsync, userMistake } from './helpers.js';

/** A loopback server answering every request with `handle`; closed by the returned function. */
async function serve(handle: Parameters<typeof createServer>[1]): Promise<{ base: string; close: () => Promise<void> }> {
  const server: Server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** The permanent failure, named, without "after N attempts": nothing was retried. */
async function namedOnce(t: Parameters<typeof userMistake>[0], args: string[], message: RegExp): Promise<void> {
  const r = await neurorepAsync(args, { env: { NEUROREP_REMOTE_TIMEOUT_MS: '20000' } });
  userMistake(t, r, message);
  t.notRegex(r.stderr, /after \d+ attempts|fetch failed/);
}

test('a refused connection is named and not retried', async (t) => {
  const s = await serve((_req, res) => res.end());
  const url = `${s.base}/session.nwb`;
  await s.close(); // nothing listens there any more
  await namedOnce(t, ['info', url], /connection refused/);
});

test('an unknown host is named and not retried', async (t) => {
  await namedOnce(t, ['info', 'http://no-such-host.invalid/session.nwb'], /host not found/);
});

test('a redirect loop and a redirect to file:// are named and not retried', async (t) => {
  const s = await serve((req, res) => {
    res.writeHead(302, { Location: req.url === '/loop.nwb' ? '/loop.nwb' : 'file:///etc/passwd' }).end();
  });
  try {
    await namedOnce(t, ['info', `${s.base}/loop.nwb`], /too many redirects/);
    await namedOnce(t, ['info', `${s.base}/file.nwb`], /redirected to an address that is not http\(s\); refused/);
  } finally {
    await s.close();
  }
});

test('https spoken to a plain http server: the TLS failure is named and not retried', async (t) => {
  const s = await serve((_req, res) => res.end());
  try {
    await namedOnce(t, ['info', `${s.base.replace('http:', 'https:')}/session.nwb`], /TLS handshake failed/);
  } finally {
    await s.close();
  }
});

test('a body longer than the range asked for is named as such, not "ended after 5001 of 1 bytes"', async (t) => {
  const s = await serve((_req, res) => {
    res.writeHead(206, { 'Content-Range': 'bytes 0-0/5001', 'Content-Length': '5001' }).end(Buffer.alloc(5001));
  });
  try {
    await namedOnce(t, ['info', `${s.base}/long.nwb`], /the server sent 5001 bytes for a range of 1/);
  } finally {
    await s.close();
  }
});

test('batch failure lines give the reason once, never the path twice or the debugging hint', async (t) => {
  const s = await serve((_req, res) => res.writeHead(404).end());
  try {
    const url = `${s.base}/missing.nwb`;
    const r = await neurorepAsync(['batch', url, '--stimulus', 'orientation', '--store', tempDir()]);
    t.is(r.code, 1, r.stderr);
    t.regex(r.stdout, new RegExp(`failed: ${url.replace(/[.]/g, '\\.')}: HTTP 404`));
    t.notRegex(r.stdout, new RegExp(`${url.replace(/[.]/g, '\\.')}: ${url.replace(/[.]/g, '\\.')}`));
    t.notRegex(r.stdout, /NEUROREP_DEBUG/);
  } finally {
    await s.close();
  }
});
