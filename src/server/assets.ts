/**
 * The viewer's static assets: vega, vega-lite and vega-embed from node_modules (no CDN: the
 * machine may be offline) and the viewer's own script and stylesheet. A fixed name -> file map:
 * nothing else on disk can be served.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '../package.js';

const require = createRequire(import.meta.url);

function bundle(pkg: string, file: string): string {
  return join(dirname(require.resolve(pkg)), file);
}

export const ASSET_FILES: Record<string, { path: () => string; type: string }> = {
  'vega.js': { path: () => bundle('vega', 'vega.min.js'), type: 'text/javascript; charset=utf-8' },
  'vega-lite.js': { path: () => bundle('vega-lite', 'vega-lite.min.js'), type: 'text/javascript; charset=utf-8' },
  'vega-embed.js': { path: () => bundle('vega-embed', 'vega-embed.min.js'), type: 'text/javascript; charset=utf-8' },
  'viewer.js': { path: () => join(packageRoot(), 'src', 'report', 'assets', 'viewer.js'), type: 'text/javascript; charset=utf-8' },
  'viewer.css': { path: () => join(packageRoot(), 'src', 'report', 'assets', 'viewer.css'), type: 'text/css; charset=utf-8' },
};

const cache = new Map<string, string>();

/** An asset's text (cached), or undefined for a name that is not an asset. */
export function assetText(name: string): string | undefined {
  if (!Object.hasOwn(ASSET_FILES, name)) return undefined;
  if (!cache.has(name)) cache.set(name, readFileSync(ASSET_FILES[name].path(), 'utf8'));
  return cache.get(name);
}

/** Everything a self-contained report inlines. */
export function inlineAssets(): { scripts: string[]; css: string } {
  return { scripts: ['vega.js', 'vega-lite.js', 'vega-embed.js', 'viewer.js'].map((n) => assetText(n)!), css: assetText('viewer.css')! };
}
