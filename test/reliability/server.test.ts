/**
 * Class 4: the viewer, run as a user runs it (`neurorep serve`), answers only its own address and
 * loopback names (DNS rebinding gets 421) and only GET/HEAD (405 with Allow), keeping CSP and
 * nosniff on every answer.
 */

import test from 'ava';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { hostname, networkInterfaces } from 'node:os';
import { allowedHosts } from '../../src/server/app.js';
import { RunStore } from '../../src/store/runStore.js';
import { ROOT, tempDir } from '../helpers.js';
import { neurorep } from './helpers.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Start `neurorep serve` with extra arguments; resolves with its port once it listens. */
function serve(store: string, args: string[]): { child: ReturnType<typeof spawn>; port: Promise<number> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'neurorep.js'), 'serve', '--port', '0', '--store', store, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const port = new Promise<number>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      const m = /http:\/\/[^:]+:(\d+)\//.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error(`serve exited: ${err}`)));
  });
  return { child, port };
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
      t.is(bad.headers['x-content-type-options'], 'nosniff', `421 for '${host}' keeps nosniff`);
      t.truthy(bad.headers['content-security-policy'], `421 for '${host}' keeps the CSP`);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const r = await ask(port, { method, path: '/api/runs' });
      t.is(r.status, 405, method);
      t.is(r.headers.allow, 'GET, HEAD');
      t.is(r.headers['x-content-type-options'], 'nosniff', `405 for ${method} keeps nosniff`);
      t.truthy(r.headers['content-security-policy'], `405 for ${method} keeps the CSP`);
    }
    t.is((await ask(port, { method: 'HEAD' })).status, 200);
    t.is((await ask(port, { path: '/../../etc/passwd' })).status, 404);
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
});

test('serve --host 0.0.0.0 answers the addresses and name of this machine (not only loopback); strangers still get 421', async (t) => {
  const store = join(tempDir('neurorep-rel-'), 'store');
  RunStore.open(store).close();
  const { child, port: listening } = serve(store, ['--host', '0.0.0.0']);
  try {
    const port = await listening;
    const own = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4')
      .map((a) => a!.address);
    t.true(own.length > 0);
    for (const host of [...own.map((a) => `${a}:${port}`), `${hostname()}:${port}`]) t.is((await ask(port, { host })).status, 200, host);
    t.is((await ask(port, { host: `evil.example:${port}` })).status, 421);
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
});

test('the viewer on port 80 answers browsers that omit :80; serve --host with an unknown name is a named exit 2', (t) => {
  const hosts = allowedHosts('127.0.0.1', 80);
  for (const h of ['127.0.0.1', 'localhost', '127.0.0.1:80', 'localhost:80']) t.true(hosts.has(h), h);
  t.false(allowedHosts('127.0.0.1', 8080).has('127.0.0.1'), 'without :PORT only on port 80');
  const store = join(tempDir('neurorep-rel-'), 'store');
  RunStore.open(store).close();
  const r = neurorep(['serve', '--host', 'notahost.invalid', '--port', '0', '--store', store]);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /--host notahost\.invalid: (no such host name|the name does not resolve)/);
});
