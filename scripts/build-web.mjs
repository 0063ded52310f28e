// `npm run build:web`: the browser app as plain files in dist/web/ (any static server can serve
// them; `neurorep serve` does at /app). esbuild bundles the page's script, the analysis worker and
// its helper workers from src/web/; vega's three libraries and the viewer's stylesheet are copied.
// The analysis worker reads its files by ranges (src/web/sources.ts): the Node-only opener of the
// HDF5 layer (adapters/nwb/h5Node.ts: node:fs, worker threads) is replaced by a module that says so.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist', 'web');
const require = createRequire(import.meta.url);
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

const nodeOnly = {
  name: 'node-only-opener',
  setup(b) {
    b.onResolve({ filter: /\/h5Node\.js$/ }, () => ({ path: 'h5Node', namespace: 'node-only' }));
    b.onLoad({ filter: /.*/, namespace: 'node-only' }, () => ({
      contents: `const no = () => { throw new Error('in a browser, recordings are opened by ranges (src/web/sources.ts)'); };
export const h5 = no, openHdf5File = no, openHdf5Url = no, isHdf5File = no, superblockOffset = no, truncation = no;`,
      loader: 'js',
    }));
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const common = {
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: true,
  legalComments: 'external',
  logLevel: 'warning',
  define: { NEUROREP_VERSION: JSON.stringify(version) },
  plugins: [nodeOnly],
};
await build({ ...common, entryPoints: [join(root, 'src/web/app.ts')], outfile: join(out, 'app.js') });
await build({ ...common, entryPoints: [join(root, 'src/web/analysisWorker.ts')], outfile: join(out, 'analysis.js') });
await build({ ...common, entryPoints: [join(root, 'src/web/pieceWorker.ts')], outfile: join(out, 'pieces.js') });
const vendor = (pkg, file) => join(dirname(require.resolve(pkg)), file);
copyFileSync(vendor('vega', 'vega.min.js'), join(out, 'vega.js'));
copyFileSync(vendor('vega-lite', 'vega-lite.min.js'), join(out, 'vega-lite.js'));
copyFileSync(vendor('vega-embed', 'vega-embed.min.js'), join(out, 'vega-embed.js'));
copyFileSync(join(root, 'src/report/assets/viewer.css'), join(out, 'viewer.css'));
copyFileSync(join(root, 'src/web/static/index.html'), join(out, 'index.html'));
copyFileSync(join(root, 'src/web/static/app.css'), join(out, 'app.css'));
