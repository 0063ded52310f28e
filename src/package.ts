/**
 * The installed package: where it lives and its version, found by walking up from this module to
 * neurorep's package.json (it runs from src/ under tsx and from dist/src/ when built). The lowest
 * module outside core: every layer may ask it.
 */

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let found: { root: string; version: string } | undefined;

function locate(): { root: string; version: string } {
  if (found) return found;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'neurorep') return (found = { root: dir, version: pkg.version ?? '0.0.0' });
    } catch {
      /* keep walking up */
    }
    dir = dirname(dir);
  }
  return (found = { root: process.cwd(), version: '0.0.0' });
}

/** Where the package lives (for examples and static assets). */
export function packageRoot(): string {
  return locate().root;
}

/** The version in package.json. */
export function toolkitVersion(): string {
  return locate().version;
}
