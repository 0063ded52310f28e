/**
 * Remote reads against servers that answer wrongly (issue "Hardening, third round", items 1-4, 7
 * and 13; "continued", items 5 and 8): every ranged answer is checked before it is used, a failed
 * read is never swallowed by HDF5, unbounded bodies are refused, credentials are never echoed.
 * The servers are made here, on 127.0.0.1, serving a small synthetic NWB file from memory.
 */

import test from 'ava';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeNwbFile } from '../../adapters/nwb/write.js';
import { sessionNwbSpec, syntheticSession } from '../../src/analysis/synthetic.js';
import { tempDir } from '../helpers.js';
import { clean, neurorepAsync, userMistake, type Run } from './helpers.js';

let fileA: Buffer;
let fileB: Buffer;
let localA: string;

test.before(async () => {
  const dir = tempDir();
  localA = join(dir, 'a.nwb');
  const localB = join(dir, 'b.nwb');
  await writeNwbFile(localA, sessionNwbSpec(syntheticSession({ seed: 3 }), 'remote-a'));
  await writeNwbFile(localB, sessionNwbSpec(syntheticSession({ seed: 4 }), 'remote-b'));
  fileA = readFileSync(localA);
  fileB = readFileSync(localB);
});

interface Behaviour {
  /** The bytes served for the n-th ranged request (0-based). */
  bytes?: (n: number) => Buffer;
  /** The ETag of the n-th answer; null: none. */
  etag?: (n: number) => string | null;
  lastModified?: string;
  /** Honour If-Range (answer 200 with the whole file when it does not match). */
  honourIfRange?: boolean;
  /** Shift the bytes of data answers (not the probe) by this many, saying so in Content-Range. */
  shift?: number;
  gzip?: boolean;
  /** Answer every request with this status and reason phrase. */
  status?: number;
  statusText?: string;
  /** Answer the probe with a 206 whose body never ends. */
  endlessProbe?: boolean;
}

async function serve(b: Behaviour): Promise<{ base: string; requests: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const k = n++;
    const data = b.bytes ? b.bytes(k) : fileA;
    const etag = b.etag ? b.etag(k) : '"a"';
    const headers: Record<string, string | number> = { 'Accept-Ranges': 'bytes' };
    if (etag !== null) headers.ETag = etag;
    if (b.lastModified) headers['Last-Modified'] = b.lastModified;
    if (b.status) {
      res.writeHead(b.status, b.statusText ?? '', headers).end();
      return;
    }
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!m) {
      res.writeHead(200, headers).end(data);
      return;
    }
    if (b.honourIfRange && req.headers['if-range'] !== undefined && req.headers['if-range'] !== etag) {
      res.writeHead(200, headers).end(data);
      return;
    }
    let start = Number(m[1]);
    let end = Math.min(data.length - 1, Number(m[2]));
    if (b.endlessProbe && k === 0) {
      res.writeHead(206, { ...headers, 'Content-Range': `bytes 0-0/${data.length}` });
      const chunk = Buffer.alloc(1 << 16);
      const pump = () => {
        while (res.write(chunk));
      };
      res.on('drain', pump);
      res.on('error', () => undefined);
      pump();
      return;
    }
    if (b.shift && k > 0) {
      start += b.shift;
      end = Math.min(data.length - 1, end + b.shift);
    }
    let body = data.subarray(start, end + 1);
    if (b.gzip) {
      body = gzipSync(body);
      headers['Content-Encoding'] = 'gzip';
    }
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${data.length}`, 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests: () => n,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const SMALL_BLOCKS = { NEUROREP_REMOTE_BLOCK_KIB: '4', NEUROREP_REMOTE_TIMEOUT_MS: '20000' };

async function analyze(url: string, extra: string[] = [], env: Record<string, string> = SMALL_BLOCKS): Promise<Run> {
  return neurorepAsync(['analyze', url, '--stimulus', 'orientation', '--store', tempDir(), '--quiet', ...extra], { env });
}

test('a server that ignores If-Range while the file changes: refused as a changed file, never a mix of two files', async (t) => {
  // The ETag and the bytes flip after the third block request: at the same size, then to another size.
  const sameSize = Buffer.from(fileA);
  for (let i = 0; i < 64; i++) sameSize[sameSize.length - 1 - i] ^= 0xff;
  const s = await serve({ bytes: (k) => (k < 4 ? fileA : sameSize), etag: (k) => (k < 4 ? '"a"' : '"b"') });
  try {
    userMistake(t, await analyze(`${s.base}/s.nwb`), /the file changed on the server while it was being read \(its ETag is no longer "a"\)/);
  } finally {
    await s.close();
  }
  const other = await serve({ bytes: (k) => (k < 4 ? fileA : fileB), etag: (k) => (k < 4 ? '"a"' : '"b"') });
  try {
    userMistake(t, await analyze(`${other.base}/s.nwb`), /the file changed on the server while it was being read \(the file is now \d+ bytes, not \d+\)/);
  } finally {
    await other.close();
  }
});

test('a server that honours If-Range while the file changes: the change is named, never swallowed by HDF5 (exit 0 with numbers, or "no units")', async (t) => {
  // The same size, other bytes, from a third, a half and two thirds of the way through the reads on:
  // reads that HDF5 makes inside lookups it treats as optional, where a failed read used to vanish
  // and the analysis went on.
  const other = Buffer.from(fileA);
  for (let i = 0; i < 64; i++) other[other.length - 1 - i] ^= 0xff;
  const clean = await serve({});
  let requests: number;
  try {
    t.is((await analyze(`${clean.base}/s.nwb`)).code, 0);
    requests = clean.requests();
  } finally {
    await clean.close();
  }
  for (const flip of [Math.floor(requests / 3), Math.floor(requests / 2), Math.floor((2 * requests) / 3)]) {
    const s = await serve({ bytes: (k) => (k < flip ? fileA : other), etag: (k) => (k < flip ? '"a"' : '"b"'), honourIfRange: true });
    try {
      const r = await analyze(`${s.base}/s.nwb`);
      userMistake(t, r, /the file changed on the server while it was being read \(its ETag is no longer "a"\)/);
      t.notRegex(r.stderr, /no units|nothing to analyze/);
    } finally {
      await s.close();
    }
  }
});

test('a server without validators whose file changes at the same size: no block is cached, and the user is told why', async (t) => {
  const s = await serve({ etag: () => null });
  try {
    const store = tempDir();
    const r = await neurorepAsync(['info', `${s.base}/s.nwb`, '--store', store], { env: SMALL_BLOCKS });
    t.is(r.code, 0, r.stderr);
    t.regex(r.stderr, /gives no ETag or Last-Modified.*blocks are not kept between runs/);
    const cache = join(store, 'remote-cache');
    t.true(!existsSync(cache) || readdirSync(cache).length === 0, 'nothing cached');
    clean(t, r);
  } finally {
    await s.close();
  }
  // With Last-Modified as its validator, a change of date is a new cache entry.
  const dated = await serve({ etag: () => null, lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' });
  try {
    const store = tempDir();
    const r = await neurorepAsync(['info', `${dated.base}/s.nwb`, '--store', store], { env: SMALL_BLOCKS });
    t.is(r.code, 0, r.stderr);
    t.notRegex(r.stderr, /blocks are not kept/);
    t.is(readdirSync(join(store, 'remote-cache')).length, 1);
  } finally {
    await dated.close();
  }
});

test('answers shifted from the range asked for are refused (Content-Range checked)', async (t) => {
  const s = await serve({ shift: 7 });
  try {
    userMistake(t, await analyze(`${s.base}/s.nwb`), /the server answered bytes \d+-\d+ for a request of bytes \d+-\d+/);
  } finally {
    await s.close();
  }
});

test('an endless body to the size probe is refused at once, not buffered', async (t) => {
  const s = await serve({ endlessProbe: true });
  try {
    const r = await neurorepAsync(['info', `${s.base}/s.nwb`, '--no-store'], { env: SMALL_BLOCKS });
    userMistake(t, r, /sent more than the 1 bytes asked for/);
  } finally {
    await s.close();
  }
});

test('a compressed (Content-Encoding gzip) range is refused, never inflated', async (t) => {
  const s = await serve({ gzip: true });
  try {
    userMistake(t, await analyze(`${s.base}/s.nwb`), /compressed the range \(Content-Encoding gzip\)/);
  } finally {
    await s.close();
  }
});

test('a 5000-character ETag and a hostile reason phrase end as named refusals, not crashes', async (t) => {
  const long = await serve({ etag: () => `"${'x'.repeat(5000)}"` });
  try {
    userMistake(t, await neurorepAsync(['info', `${long.base}/s.nwb`, '--no-store'], { env: SMALL_BLOCKS }), /etag header is 5002 characters long/);
    const b = await neurorepAsync(['batch', `${long.base}/s.nwb`, '--stimulus', 'orientation', '--store', tempDir()], { env: SMALL_BLOCKS });
    t.is(b.code, 1, b.stderr);
    t.regex(b.stdout, /failed: .*etag header is 5002 characters long/);
    clean(t, b);
  } finally {
    await long.close();
  }
  const rude = await serve({ status: 403, statusText: `Forbidden ${'\u00e9'.repeat(3000)}` });
  try {
    userMistake(t, await neurorepAsync(['info', `${rude.base}/s.nwb`, '--no-store'], { env: SMALL_BLOCKS }), /HTTP 403 Forbidden/);
    const b = await neurorepAsync(['batch', `${rude.base}/s.nwb`, '--stimulus', 'orientation', '--store', tempDir()], { env: SMALL_BLOCKS });
    t.is(b.code, 1, b.stderr);
    t.regex(b.stdout, /failed: .*HTTP 403 Forbidden/);
    clean(t, b);
  } finally {
    await rude.close();
  }
});

test('a URL with user:password@ is refused at once, and the password is printed nowhere', async (t) => {
  const s = await serve({});
  try {
    const url = `${s.base.replace('http://', 'http://alice:s3cret-pw@')}/s.nwb`;
    const r = await analyze(url);
    userMistake(t, r, /carries a user name or password; neurorep does not send credentials/);
    t.notRegex(r.stdout + r.stderr, /s3cret-pw/);
    t.is(s.requests(), 0, 'nothing was sent, nothing retried');
  } finally {
    await s.close();
  }
});

test('--no-store reads a remote file without creating ./.neurorep/remote-cache', async (t) => {
  const s = await serve({});
  try {
    const cwd = tempDir();
    // The store a user without --store has (the test helpers otherwise point NEUROREP_STORE elsewhere).
    const store = join(cwd, '.neurorep');
    const r = await neurorepAsync(['info', `${s.base}/s.nwb`, '--no-store'], { env: { ...SMALL_BLOCKS, NEUROREP_STORE: store }, cwd });
    t.is(r.code, 0, r.stderr);
    t.false(existsSync(join(store, 'remote-cache')), 'no remote cache made');
    t.false(existsSync(store), 'no store folder made');
  } finally {
    await s.close();
  }
});

test('damaged files, local and remote: a named refusal (exit 2), never exit 0 with damaged names, "internal error" or an abort notice', async (t) => {
  const dir = tempDir();
  const files: Record<string, Buffer> = {};
  for (const at of [1000, 3000, 6000, 9000]) {
    const c = Buffer.from(fileA);
    for (let i = 0; i < 64; i++) c[at + i] ^= 0x5a;
    files[`c${at}`] = c;
  }
  files.truncated = fileA.subarray(0, Math.floor(fileA.length / 2));
  let current = files.truncated;
  const s = await serve({ bytes: () => current });
  try {
    for (const [name, bytes] of Object.entries(files)) {
      const local = join(dir, `${name}.nwb`);
      writeFileSync(local, bytes);
      current = bytes;
      const message = name === 'truncated' ? /truncated: the file has \d+ bytes, but its HDF5 superblock says it ends at byte \d+/ : /looks damaged/;
      userMistake(t, await analyze(local, [], {}), message);
      userMistake(t, await analyze(`${s.base}/${name}.nwb`), message);
    }
  } finally {
    await s.close();
  }
});
