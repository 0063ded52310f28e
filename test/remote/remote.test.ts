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
    let stdout = '',
      stderr = '';
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
  // 200 MiB of raw samples (384 channels) that analyze never reads: most of the file, as in real sessions.
  const raw = new Float32Array(384 * 136534);
  for (let i = 0; i < raw.length; i++) raw[i] = ((i * 2654435761) % 1000) * 1e-3;
  spec.extra = [{ path: '/acquisition/raw_voltage', data: raw, shape: [raw.length / 384, 384] }];
  await writeNwbFile(local, spec);
  const { statSync } = await import('node:fs');
  size = statSync(local).size;
  server = await startServer({ 'session.nwb': local });
});
test.after.always(() => server?.close());

test.serial(
  'analyze over http (through a redirect) equals the local analysis and fetches a small part of the file; a second run comes from the cache',
  async (t) => {
    const store = tempDir();
    const url = `${server.base}/redirect/session.nwb`;
    const before = { ...server.stats };
    const remote = await run(['analyze', url, '--stimulus', 'orientation', '--store', store, '--json']);
    t.is(remote.code, 0, remote.stderr);
    const fetched = server.stats.bytes - before.bytes;
    t.true(size > 200e6, `the test file has ${size} bytes`);
    t.true(fetched <= 0.05 * size, `fetched ${fetched} of ${size} bytes`);
    t.regex(remote.stderr, /fetched .* of .* in \d+ requests/);
    const rec = JSON.parse(remote.stdout) as {
      source: { path: string; url: string; etag: string; size: number; bytesFetched: number; sha256: string };
      groups: unknown[];
    };
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
    t.true(server.stats.bytes - mid.bytes <= 0.01 * size, `second run fetched ${server.stats.bytes - mid.bytes} bytes`);
    t.true(server.stats.bytes - mid.bytes <= 1, 'in fact only the one-byte size probe');
    t.is((JSON.parse(again.stdout) as { source: { bytesFetched: number } }).source.bytesFetched, 0);

    const info = await run(['info', url, '--store', store]);
    t.is(info.code, 0, info.stderr);
    t.regex(info.stdout, new RegExp(`NWB 2\\.\\d\\.\\d, ${size} bytes`));
  },
);

test.serial('servers that fail: no Range support, 404, passing 503s, dropped connections, a slow answer, a redirect chain', async (t) => {
  const store = tempDir();
  const stored = async () => {
    const { RunStore } = await import('../../src/store/runStore.js');
    const { existsSync } = await import('node:fs');
    if (!existsSync(join(store, 'neurorep.db'))) return 0;
    const db = RunStore.open(store, { readonly: true });
    const n = db.count();
    db.close();
    return n;
  };
  const noRange = await run(['info', `${server.base}/norange/session.nwb`, '--store', store]);
  t.is(noRange.code, 2);
  t.regex(noRange.stderr, /the server does not answer Range requests \(HTTP 200\); download the file first/);
  t.notRegex(noRange.stderr, /\n\s+at /);
  const missing = await run(['info', `${server.base}/nothing.nwb`, '--store', store]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /nothing\.nwb: HTTP 404/);
  t.is(await stored(), 0, 'no partial record');

  // Each of these ends in a complete, correct record (retries), read without any cache.
  const expected = (JSON.parse((await run(['analyze', local, '--stimulus', 'orientation', '--no-store', '--json'])).stdout) as { groups: unknown[] }).groups;
  const fresh = (label: string) => join(tempDir(), label);
  server.failNext(2);
  const flaky = await run(['analyze', `${server.base}/session.nwb`, '--stimulus', 'orientation', '--store', store, '--cache', fresh('c1'), '--json']);
  t.is(flaky.code, 0, flaky.stderr);
  t.deepEqual((JSON.parse(flaky.stdout) as { groups: unknown[] }).groups, expected);
  server.dropNext(2);
  const dropped = await run(['analyze', `${server.base}/session.nwb`, '--stimulus', 'orientation', '--store', store, '--cache', fresh('c2'), '--json']);
  t.is(dropped.code, 0, dropped.stderr);
  t.deepEqual((JSON.parse(dropped.stdout) as { groups: unknown[] }).groups, expected);
  const chain = await run([
    'analyze',
    `${server.base}/redirect/redirect/redirect/session.nwb`,
    '--stimulus',
    'orientation',
    '--store',
    store,
    '--cache',
    fresh('c3'),
    '--json',
  ]);
  t.is(chain.code, 0, chain.stderr);
  t.deepEqual((JSON.parse(chain.stdout) as { groups: unknown[] }).groups, expected);
  t.is(await stored(), 3);

  // A server slower than the timeout every time: a clear exit 2 after the retries, nothing stored.
  server.delayNext(4, 1500);
  const slow = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), 'info', `${server.base}/session.nwb`, '--store', store, '--cache', fresh('c4')], {
      env: { ...process.env, NEUROREP_REMOTE_TIMEOUT_MS: '500' },
    });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
  t.is(slow.code, 2);
  t.regex(slow.stderr, /no answer within 0\.5 s \(after 4 attempts\)/);
  server.delayNext(0, 0);
});

test.serial('a file that changes on the server (new ETag) is read afresh, never from stale cached blocks', async (t) => {
  const store = tempDir();
  const url = `${server.base}/session.nwb`;
  const first = await run(['analyze', url, '--stimulus', 'orientation', '--store', store, '--json']);
  t.is(first.code, 0, first.stderr);
  // Another session under the same URL.
  const other = join(tempDir(), 'other.nwb');
  await writeNwbFile(other, sessionNwbSpec(syntheticSession({ seed: 9 }), 'remote-test-2'));
  server.replace('session.nwb', other);
  try {
    const second = await run(['analyze', url, '--stimulus', 'orientation', '--store', store, '--json']);
    t.is(second.code, 0, second.stderr);
    const expected = (JSON.parse((await run(['analyze', other, '--stimulus', 'orientation', '--no-store', '--json'])).stdout) as { groups: unknown[] }).groups;
    t.deepEqual((JSON.parse(second.stdout) as { groups: unknown[] }).groups, expected);
    t.notDeepEqual((JSON.parse(first.stdout) as { groups: unknown[] }).groups, expected);
  } finally {
    server.replace('session.nwb', local);
  }
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

test.serial('RemoteFile returns exactly the bytes asked for, also for reads larger than its cache and at the end of the file', async (t) => {
  const { readFileSync } = await import('node:fs');
  const bytes = readFileSync(local);
  const spans: [number, number][] = [
    [0, 8],
    [1000, 5000],
    [12345, 3000],
    [size - 100, 200],
    [500, 1],
  ];
  const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test', 'remote', 'readRanges.ts'), `${server.base}/session.nwb`, '256', '2', ...spans.map(([s, l]) => `${s}:${l}`)],
      { cwd: ROOT },
    );
    let stdout = '',
      stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  t.is(r.code, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { size: number; spans: string[] };
  t.is(got.size, size);
  spans.forEach(([s, l], i) => t.is(got.spans[i], bytes.subarray(s, Math.min(size, s + l)).toString('hex'), `span ${s}:${l}`));
});
