import test from 'ava';
import { HOSTILE, startViewer, type Viewer } from './helpers.js';

let viewer: Viewer;
test.before(async () => {
  viewer = await startViewer();
});
test.after.always(async () => {
  await viewer?.close();
});

test('API: run list and run records', async (t) => {
  const list = await fetch(`${viewer.base}/api/runs`);
  t.is(list.status, 200);
  const { runs } = (await list.json()) as { runs: { id: string; kind: string }[] };
  t.deepEqual(runs.map((r) => r.id).sort(), Object.values(viewer.ids).sort());
  const one = await fetch(`${viewer.base}/api/runs/${viewer.ids.network}`);
  t.is(one.status, 200);
  const rec = (await one.json()) as { kind: string; layers: unknown[]; inputTransitions: { to: string; complexity: number | null }[] };
  t.is(rec.kind, 'network');
  t.is(rec.layers.length, 3);
  // The demo network records its input: the run page shows complexity from the input per layer.
  t.is(rec.inputTransitions.length, 3);
  const page = await (await fetch(`${viewer.base}/runs/${viewer.ids.network}`)).text();
  t.regex(page, /<th>complexity from the input<\/th>/);
  t.regex(page, /<h2>Complexity from the input<\/h2>/);
});

test('short run ids, as the CLI prints and takes them, work in viewer URLs', async (t) => {
  const short = viewer.ids.analyze.slice(0, 8);
  const r = await fetch(`${viewer.base}/api/runs/${short}`);
  t.is(r.status, 200);
  t.is(((await r.json()) as { id: string }).id, viewer.ids.analyze);
  t.is((await fetch(`${viewer.base}/runs/${short}`)).status, 200);
  // (the order of the compare test above: its comparison is cached, no second refit)
  t.is((await fetch(`${viewer.base}/api/compare?ids=${viewer.ids.network.slice(0, 6)},${short}`)).status, 200);
  t.is((await fetch(`${viewer.base}/api/runs/ffff`)).status, 404, 'a prefix no run has');
});

test('API: 404 for an unknown id, 400 for malformed ids', async (t) => {
  t.is((await fetch(`${viewer.base}/api/runs/00000000-0000-4000-8000-000000000000`)).status, 404);
  for (const bad of ['..%2F..%2Fetc%2Fpasswd', '../../etc/passwd', 'x'.repeat(10000), '%00', 'DROP TABLE runs']) {
    const r = await fetch(`${viewer.base}/api/runs/${bad}`);
    t.true(r.status === 400 || r.status === 404, `${bad.slice(0, 30)}: ${r.status}`);
    if (!bad.includes('/')) t.is(r.status, 400, bad.slice(0, 30));
  }
  t.is((await fetch(`${viewer.base}/api/runs/${'a'.repeat(10000)}`)).status, 400);
  t.is((await fetch(`${viewer.base}/api/compare?ids=nope`)).status, 400);
  t.is((await fetch(`${viewer.base}/runs/nope`)).status, 400);
  t.is((await fetch(`${viewer.base}/assets/..%2F..%2Fpackage.json`)).status, 404);
  t.is((await fetch(`${viewer.base}/assets/package.json`)).status, 404);
  t.is((await fetch(`${viewer.base}/nothing-here`)).status, 404);
});

test('compare API: CKA between layers and areas on shared stimuli', async (t) => {
  const r = await fetch(`${viewer.base}/api/compare?ids=${viewer.ids.network},${viewer.ids.analyze}`);
  t.is(r.status, 200);
  const cmp = (await r.json()) as { cka: { rows: { name: string }[]; cols: { name: string }[]; values: (number | null)[][] } };
  t.deepEqual(
    cmp.cka.rows.map((x) => x.name),
    ['relu1', 'relu2', 'relu3'],
  );
  t.deepEqual(
    cmp.cka.cols.map((x) => x.name),
    ['V1 (simulated)', 'LM (simulated)'],
  );
  t.true(cmp.cka.values.flat().every((v) => v !== null && v > -0.2 && v <= 1 + 1e-9));
  // The hostile run shares only 4 stimulus ids with the network (matched by name): too few for CKA.
  const other = (await (await fetch(`${viewer.base}/api/compare?ids=${viewer.ids.network},${viewer.ids.hostile}`)).json()) as {
    cka: { values: (number | null)[][]; notes: string[] };
  };
  t.true(other.cka.values.flat().every((v) => v === null));
  t.regex(other.cka.notes.join(' | '), /stimuli matched by name: run \w{8}'s 72 rows put in run \w{8}'s stimulus order, 4 stimuli shared/);
  t.regex(other.cka.notes.join(' | '), /share too few stimuli for 5-fold cross-validation, so no CKA/);
});

test('strings from data files are shown as text, never as markup', async (t) => {
  const html = await (await fetch(`${viewer.base}/runs/${viewer.ids.hostile}`)).text();
  t.false(html.includes('<script>window.__pwned'));
  t.false(html.includes('<img src=x'));
  t.true(html.includes('&lt;script&gt;window.__pwned = 1&lt;/script&gt;'));
  const list = await (await fetch(`${viewer.base}/`)).text();
  t.false(list.includes('<script>window.__pwned'));
  const json = (await (await fetch(`${viewer.base}/api/runs/${viewer.ids.hostile}`)).json()) as { session: { sessionDescription: string } };
  t.is(json.session.sessionDescription, `session ${HOSTILE}`);
});

test('security headers', async (t) => {
  const r = await fetch(`${viewer.base}/`);
  t.is(r.headers.get('x-content-type-options'), 'nosniff');
  t.regex(r.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  t.is(r.headers.get('x-powered-by'), null);
});

test('DNS rebinding: a Host other than the bound address or a loopback name gets 421; loopback names are answered', async (t) => {
  const { request } = await import('node:http');
  const port = Number(new URL(viewer.base).port);
  const get = (host: string, method = 'GET') =>
    new Promise<{ status: number; allow?: string }>((resolve, reject) => {
      // A fresh connection per request: a kept-alive socket the server has just closed after a 421
      // would make the next request fail with ECONNRESET on a busy machine.
      const req = request({ host: '127.0.0.1', port, path: '/api/runs', method, headers: { host }, agent: false }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, allow: res.headers.allow as string | undefined });
      });
      req.on('error', reject);
      req.end();
    });
  for (const evil of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `localhost.evil.example:${port}`, 'x'])
    t.is((await get(evil)).status, 421, `Host '${evil}'`);
  for (const ok of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) t.is((await get(ok)).status, 200, ok);
});

test('only GET and HEAD: other methods get 405 with an Allow header; security headers stay', async (t) => {
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    const r = await fetch(`${viewer.base}/api/runs`, { method });
    t.is(r.status, 405, method);
    t.is(r.headers.get('allow'), 'GET, HEAD');
  }
  const head = await fetch(`${viewer.base}/`, { method: 'HEAD' });
  t.is(head.status, 200);
  const page = await fetch(`${viewer.base}/`);
  t.is(page.headers.get('x-content-type-options'), 'nosniff');
  t.regex(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
});
