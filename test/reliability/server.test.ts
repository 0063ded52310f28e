/**
 * Class 4: the viewer, run as a user runs it (`neurorep serve`), answers only its own address and
 * loopback names (DNS rebinding gets 421) and only GET/HEAD (405 with Allow), keeping CSP and
 * nosniff on every answer.
 */

import test from 'ava';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { RunStore } from '../../src/store/runStore.js';
import { ROOT, tempDir } from '../helpers.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function ask(port: number, opts: { method?: string; host?: string; path?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: { host: opts.host ?? `127.0.0.1:${port}` } },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('neurorep serve: Host header and method checks on the real process', async (t) => {
  const store = join(tempDir('neurorep-rel-'), 'store');
  RunStore.open(store).close(); // serve shows a store; it never creates one
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), 'serve', '--port', '0', '--store', store], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let err = '';
      child.stderr.on('data', (d) => {
        err += d;
        const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(err);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', () => reject(new Error(`serve exited: ${err}`)));
    });
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      const ok = await ask(port, { host });
      t.is(ok.status, 200, host);
      t.is(ok.headers['x-content-type-options'], 'nosniff');
      t.truthy(ok.headers['content-security-policy']);
    }
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1:${port + 1}`, `localhost`, `127.0.0.1.evil.example:${port}`]) {
      const bad = await ask(port, { host, path: '/api/runs' });
      t.is(bad.status, 421, `Host '${host}'`);
      t.notRegex(bad.body, /runs/);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const r = await ask(port, { method, path: '/api/runs' });
      t.is(r.status, 405, method);
      t.is(r.headers.allow, 'GET, HEAD');
    }
    t.is((await ask(port, { method: 'HEAD' })).status, 200);
    t.is((await ask(port, { path: '/../../etc/passwd' })).status, 404);
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
});
