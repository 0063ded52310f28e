/** `neurorep serve` gives the browser app at /app/: its fixed files only, isolated, under a strict CSP. */

import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { WEB_APP_CSP, WEB_APP_FILES } from '../../src/server/webApp.js';
import { startAppServer } from './helpers.js';

test('/app/ serves the built app with its CSP and cross-origin isolation; nothing else under /app', async (t) => {
  const app = await startAppServer();
  try {
    const bare = await fetch(`${app.base}/app`, { redirect: 'manual' });
    t.is(bare.status, 301);
    t.is(bare.headers.get('location'), '/app/');
    const index = await fetch(`${app.base}/app/`);
    t.is(index.status, 200);
    t.regex(index.headers.get('content-type') ?? '', /^text\/html/);
    const csp = index.headers.get('content-security-policy') ?? '';
    t.is(csp, WEB_APP_CSP);
    // Scripts only from the app's own origin: no inline script, no third-party host.
    t.regex(csp, /script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval';/);
    t.regex(csp, /default-src 'none'/);
    t.is(index.headers.get('cross-origin-opener-policy'), 'same-origin');
    t.is(index.headers.get('cross-origin-embedder-policy'), 'require-corp');
    const html = await index.text();
    for (const m of html.matchAll(/<script\b[^>]*>/g)) t.regex(m[0], /src="[a-z-]+\.js"/, `an inline or foreign script: ${m[0]}`);
    t.notRegex(html, /https?:\/\//, 'the page names no other host');
    // Deployed as plain files, the page carries the same policy (frame-ancestors is ignored in a meta element).
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    t.is(meta, WEB_APP_CSP.replace("; frame-ancestors 'none'", ''));
    for (const name of Object.keys(WEB_APP_FILES)) {
      const r = await fetch(`${app.base}/app/${name}`);
      t.is(r.status, 200, name);
      t.is(r.headers.get('content-type'), WEB_APP_FILES[name]);
      t.true(Buffer.from(await r.arrayBuffer()).equals(readFileSync(join(ROOT, 'dist', 'web', name))), name);
    }
    for (const bad of ['app.js.LEGAL.txt', '..%2Fpackage.json', 'index.htm', '.env']) t.is((await fetch(`${app.base}/app/${bad}`)).status, 404, bad);
    // The bundles need no Node module and ask no host at load.
    const worker = readFileSync(join(ROOT, 'dist', 'web', 'analysis.js'), 'utf8');
    t.notRegex(worker, /require\(["']node:/);
  } finally {
    await app.close();
  }
});
