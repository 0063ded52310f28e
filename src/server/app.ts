/**
 * The viewer: an express app over the results store. Pages: runs list, run detail, compare; the
 * browser app's files at /app/ (webApp.ts).
 * JSON API: GET /api/runs, GET /api/runs/:id, GET /api/compare?ids=a,b.
 *
 * Every parameter is validated (run ids are UUIDs; at most 20 ids per comparison); unknown ids are
 * 404, malformed ones 400; only the fixed asset map is served from disk. Requests whose Host header
 * is not the bound address or a loopback name get 421 (DNS rebinding); methods other than GET and
 * HEAD get 405 with an Allow header.
 */

import { hostname, networkInterfaces } from 'node:os';
import express, { type NextFunction, type Request, type Response } from 'express';
import { compareRuns } from '../analysis/compare.js';
import { comparePage, runPage, runsListPage, summaryPage } from '../report/pages.js';
import { summaryRows } from '../analysis/summary.js';
import { RunStore } from '../store/runStore.js';
import { RUN_ID, type RunRecord } from '../store/schema.js';
import { ASSET_FILES, assetText } from './assets.js';
import { WEB_APP_FILES, WEB_APP_HEADERS, webAppFile } from './webApp.js';

const MAX_COMPARE = 20;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A run id or a prefix of at least 4 characters (as the CLI takes them); resolved against the store later. */
function validId(id: unknown): string {
  if (typeof id !== 'string' || id.length > 64 || !(RUN_ID.test(id) || ID_PREFIX.test(id)))
    throw new HttpError(400, 'malformed run id: expected a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e, or its first 4 or more characters');
  return id;
}

const ID_PREFIX = /^[0-9a-f][0-9a-f-]{3,35}$/;

/** ids from ?ids=a,b or ?ids=a&ids=b, each validated. */
function idList(q: unknown): string[] {
  const raw = (Array.isArray(q) ? q : q === undefined ? [] : [q]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
  const ids = raw.map((s) => (typeof s === 'string' ? s.trim() : s)).filter((s) => s !== '');
  if (ids.length > MAX_COMPARE) throw new HttpError(400, `at most ${MAX_COMPARE} runs can be compared at once`);
  return [...new Set(ids.map(validId))];
}

/**
 * The Host header values the viewer answers: the bound address and the loopback names, each with
 * the port (and without it on port 80, as browsers send it). Bound to every address (0.0.0.0,
 * ::), the machine's own addresses and host name too. Anything else (a DNS-rebinding page asking
 * for evil.example:8080) gets 421.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const bracket = (h: string) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h);
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', bracket(host)]);
  if (host === '0.0.0.0' || host === '::' || host === '[::]') {
    names.add(hostname());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(bracket(a.address.replace(/%.*$/, '')));
  }
  const withPort = [...names].map((h) => `${h}:${port}`);
  return new Set([...withPort, ...(port === 80 ? names : [])].map((h) => h.toLowerCase()));
}

export function createApp(storeDir: string, opts: { hosts?: () => Set<string> } = {}): { app: express.Express; store: RunStore } {
  // The viewer only reads: a missing store is said to be missing, never created.
  const store = RunStore.openExisting(storeDir);
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Every answer carries the security headers, refusals (405, 421) included.
  app.use((_req, res, next) => {
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      // vega compiles chart expressions with Function(), hence 'unsafe-eval'; no inline scripts.
      'Content-Security-Policy':
        "default-src 'none'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    });
    next();
  });
  app.use((req, res, next) => {
    // Only GET and HEAD exist; only the bound host and loopback names are answered.
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).set('Allow', 'GET, HEAD').type('text/plain').send('405: only GET and HEAD\n');
      return;
    }
    const allowed = opts.hosts?.();
    if (allowed && !allowed.has(String(req.headers.host ?? '').toLowerCase())) {
      res.status(421).type('text/plain').send('421: this viewer answers only on its own address (Host header not accepted)\n');
      return;
    }
    next();
  });
  const linked = { mode: 'linked' as const };
  /** The full id of a run given by its id or a unique prefix. */
  const fullId = (id: string): string => {
    const full = RUN_ID.test(id) ? id : store.resolveId(id);
    if (!full) throw new HttpError(404, `no run with id ${id} (or the prefix is ambiguous)`);
    return full;
  };
  const getRecord = (id: string): RunRecord => {
    const rec = store.get(fullId(id));
    if (!rec) throw new HttpError(404, `no run with id ${id}`);
    return rec;
  };
  // Runs never change once stored, so a comparison can be reused (it refits every similarity).
  const comparisons = new Map<string, ReturnType<typeof compareRuns>>();
  const compare = (ids: string[]) => {
    const records = ids.map(getRecord);
    const key = ids.join(',');
    let cmp = comparisons.get(key);
    if (!cmp) {
      cmp = compareRuns(records, new Map(ids.map((id) => [id, store.representations(id)])));
      if (comparisons.size >= 8) comparisons.delete(comparisons.keys().next().value!);
      comparisons.set(key, cmp);
    }
    return cmp;
  };

  app.get('/', (_req, res) => {
    res.type('html').send(runsListPage(store.list(), linked));
  });
  app.get('/runs/:id', (req, res) => {
    res.type('html').send(runPage(getRecord(validId(req.params.id)), linked));
  });
  app.get('/compare', (req, res) => {
    const ids = [...new Set(idList(req.query.ids).map(fullId))];
    res.type('html').send(comparePage(store.list(), ids, ids.length ? compare(ids) : null, linked));
  });
  const summaryOf = (batch: unknown) => {
    if (batch !== undefined && (typeof batch !== 'string' || !/^[0-9a-f-]{4,36}$/.test(batch))) throw new HttpError(400, 'malformed batch id');
    const wanted = (batch as string | undefined) ?? store.newestBatch();
    const found = wanted ? store.batchRuns(wanted) : null;
    if (wanted && !found) throw new HttpError(404, `no batch ${wanted}`);
    return { label: found ? `batch ${found.batch}` : '', rows: found ? summaryRows(found.ids.map((id) => store.get(id)!)) : [] };
  };
  app.get('/summary', (req, res) => {
    const { label, rows } = summaryOf(req.query.batch);
    res.type('html').send(summaryPage(label, rows, store.batches(), linked));
  });
  app.get('/api/summary', (req, res) => {
    const { label, rows } = summaryOf(req.query.batch);
    res.json({ of: label, rows });
  });
  app.get('/api/runs', (_req, res) => {
    res.json({ runs: store.list() });
  });
  app.get('/api/runs/:id', (req, res) => {
    res.json(getRecord(validId(req.params.id)));
  });
  app.get('/api/compare', (req, res) => {
    const ids = [...new Set(idList(req.query.ids).map(fullId))];
    if (ids.length === 0) throw new HttpError(400, 'give run ids: /api/compare?ids=ID,ID');
    res.json(compare(ids));
  });
  app.get('/assets/:name', (req, res) => {
    const name = req.params.name;
    const text = assetText(name);
    if (text === undefined) throw new HttpError(404, 'no such asset');
    res.type(ASSET_FILES[name].type).set('Cache-Control', 'public, max-age=3600').send(text);
  });
  // The browser app (npm run build:web): its fixed files, cross-origin isolated, with its own CSP.
  app.get('/app', (req, res, next) => {
    // Its files are named relative to /app/ (this route matches /app/ too: that goes on to the files).
    if (req.originalUrl.split('?')[0] === '/app') res.redirect(301, '/app/');
    else next();
  });
  app.get('/app/{:name}', (req, res) => {
    const name = (req.params as { name?: string }).name ?? 'index.html';
    const bytes = webAppFile(name);
    if (bytes === undefined) throw new HttpError(404, 'no such file of the app');
    if (bytes === null) throw new HttpError(404, 'the browser app is not built here: run `npm run build:web` (npm run build does it too)');
    res.type(WEB_APP_FILES[name]).set(WEB_APP_HEADERS).set('Cache-Control', 'no-cache').send(bytes);
  });
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.use((_req, _res, next) => next(new HttpError(404, 'not found')));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = err instanceof HttpError ? err.status : 500;
    const message = err instanceof HttpError ? err.message : 'internal error';
    if (status === 500) process.stderr.write(`neurorep serve: ${(err as Error)?.stack ?? String(err)}\n`);
    if (req.path.startsWith('/api/')) res.status(status).json({ error: message });
    else res.status(status).type('text/plain').send(`${status}: ${message}\n`);
  });
  return { app, store };
}
