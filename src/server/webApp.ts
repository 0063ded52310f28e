/**
 * The browser app's files (`npm run build:web` writes them to dist/web/) as `neurorep serve` gives
 * them at /app/: a fixed name -> type map (nothing else on disk can be served) and the headers the
 * app needs. Cross-origin isolation (COOP + COEP) gives its workers SharedArrayBuffer, so the
 * analysis uses every core; the CSP lets scripts come only from here and lets the page connect to
 * any http(s) host, because the recording's URL is the user's (the app's only requests).
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package.js';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

export const WEB_APP_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': JS,
  'analysis.js': JS,
  'pieces.js': JS,
  'vega.js': JS,
  'vega-lite.js': JS,
  'vega-embed.js': JS,
  'app.css': CSS,
  'viewer.css': CSS,
};

/** The app's Content-Security-Policy (index.html carries the same in a meta element for static hosting). */
export const WEB_APP_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self' https: http:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

export const WEB_APP_HEADERS: Record<string, string> = {
  'Content-Security-Policy': WEB_APP_CSP,
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Where the built app lives. */
export function webAppDir(): string {
  return join(packageRoot(), 'dist', 'web');
}

const cache = new Map<string, Buffer>();

/** A file of the app (cached), undefined for a name that is not one, or null when the app is not built. */
export function webAppFile(name: string): Buffer | null | undefined {
  if (!Object.hasOwn(WEB_APP_FILES, name)) return undefined;
  if (!cache.has(name)) {
    const path = join(webAppDir(), name);
    if (!existsSync(path)) return null;
    cache.set(name, readFileSync(path));
  }
  return cache.get(name);
}
