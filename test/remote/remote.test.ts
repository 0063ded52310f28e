/**
 * Remote recordings: info and analyze on http:// URLs read only the byte ranges HDF5 needs,
 * follow redirects, retry 5xx, refuse servers without Range support, and keep fetched blocks.
 * The server runs in this process; the CLI in a child process (it waits synchronously on its reads).
 */

import test from 'ava';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { writeNwbFile } from '../../adapters/nwb/write.js';
import { sessionNwbSpec, syntheticSession } from '../../src/analysis/synthetic.js';
import { ROOT, tempDir } from '../helpers.js';
import { startServer, type TestServer } from './server.js';

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), ...args]);
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let server: TestServer;
let local: string;
let size: number;

test.before(async () => {
  const dir = tempDir();
  local = join(dir, 'session.nwb');
  const spec = sessionNwbSpec(syntheticSession({ seed: 2 }), 'remote-test');
  // 16 MB of raw samples that analyze never reads, as in real sessions.
  spec.extra = [{ path: '/acquisition/raw', data: Float32Array.from({ length: 4 << 20 }, (_, i) => Math.sin(i)), shape: [4 << 20] }];
  await writeNwbFile(local, spec);
  const { statSync } = await import('node:fs');
  size = statSync(local).size;
  server = await startServer({ 'session.nwb': local });
});
test.after.always(() => server?.close());

test.serial('analyze over http (through a redirect) equals the local analysis and fetches a small part of the file; a second run comes from the cache', async (t) => {
  const store = tempDir();
  const url = `${server.base}/redirect/session.nwb`;
  const before = { ...server.stats };
  const remote = await run(['analyze', url, '--stimulus', 'orientation', '--store', store, '--json']);
  t.is(remote.code, 0, remote.stderr);
  const fetched = server.stats.bytes - before.bytes;
  t.true(fetched < 0.2 * size, `fetched ${fetched} of ${size} bytes`);
  t.regex(remote.stderr, /fetched .* of .* in \d+ requests/);
  const rec = JSON.parse(remote.stdout) as { source: { path: string; url: string; etag: string; size: number; bytesFetched: number; sha256: string }; groups: unknown[] };
  t.is(rec.source.url, url);
  t.is(rec.source.size, size);
  t.truthy(rec.source.etag);
  t.is(rec.source.sha256, '', 'no sha256 unless every byte was read');
  t.true(rec.source.bytesFetched > 0 && rec.source.bytesFetched <= fetched);

  const plain = await run(['analyze', local, '--stimulus', 'orientation', '--no-store', '--json']);
  t.is(plain.code, 0, plain.stderr);
  t.deepEqual(rec.groups, (JSON.parse(plain.stdout) as { groups: unknown[] }).groups, 'the same numbers as from the local file');

  // Other options, same file: the blocks come from the cache under the store.
  const mid = { ...server.stats };
  const again = await run(['analyze', url, '--stimulus', 'orientation', '--window', '0,0.5', '--store', store, '--json']);
  t.is(again.code, 0, again.stderr);
  t.true(server.stats.bytes - mid.bytes <= 1, `second run fetched ${server.stats.bytes - mid.bytes} bytes (only the size probe)`);
  t.is((JSON.parse(again.stdout) as { source: { bytesFetched: number } }).source.bytesFetched, 0);

  const info = await run(['info', url, '--store', store]);
  t.is(info.code, 0, info.stderr);
  t.regex(info.stdout, new RegExp(`NWB 2\\.\\d\\.\\d, ${size} bytes`));
});

test.serial('servers that fail: no Range support, 404, and passing 503s (retried)', async (t) => {
  const store = tempDir();
  const noRange = await run(['info', `${server.base}/norange/session.nwb`, '--store', store]);
  t.is(noRange.code, 2);
  t.regex(noRange.stderr, /the server does not answer Range requests \(HTTP 200\); download the file first/);
  t.notRegex(noRange.stderr, /\n\s+at /);
  const missing = await run(['info', `${server.base}/nothing.nwb`, '--store', store]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /nothing\.nwb: HTTP 404/);
  server.failNext(2);
  const flaky = await run(['info', `${server.base}/session.nwb`, '--store', store, '--cache', join(store, 'other-cache')]);
  t.is(flaky.code, 0, flaky.stderr);
});

test.serial('batch takes URLs too: analyzed remotely, resumed by URL, ETag and size', async (t) => {
  const store = tempDir();
  const url = `${server.base}/session.nwb`;
  const first = await run(['batch', url, '--stimulus', 'orientation', '--store', store]);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /1 session: 1 analyzed, 0 already in the store, 0 failed/);
  const again = await run(['batch', url, '--stimulus', 'orientation', '--store', store]);
  t.regex(again.stdout, /1 session: 0 analyzed, 1 already in the store, 0 failed/);
});
