// After tsc: bundle dist/src/core/special.js with the stdlib packages it re-exports into that one
// file, so that start-up reads one module instead of resolving several hundred (190 ms measured).
// The library code is stdlib's own, unchanged; only its files are joined.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const file = fileURLToPath(new URL('../dist/src/core/special.js', import.meta.url));
await build({
  entryPoints: [file],
  outfile: file,
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  // stdlib's CommonJS with each package's browser entries (its debug dependency's browser build
  // guards every browser global): the bundle serves Node and browsers alike.
  platform: 'browser',
  target: 'es2022',
  legalComments: 'inline',
  minifySyntax: true,
  minifyWhitespace: true,
  logLevel: 'warning',
});
