/**
 * The house's rules, checked on the import graph of src/ and adapters/: every arrow points down the
 * layers (core <- package, io, runtime <- store <- adapters <- analysis <- report <- server, web <- cli, with
 * src/index.ts, the public API, on top), and no module imports itself through a circle.
 */

import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../helpers.js';

/** Layer of a module by its folder; a module may import only its own layer or lower ones. */
const LAYERS: [prefix: string, rank: number][] = [
  ['src/core/', 0],
  ['src/package.ts', 1],
  ['src/io/', 1],
  ['src/runtime/', 1],
  ['src/store/', 2],
  ['adapters/', 3],
  ['src/analysis/', 4],
  ['src/report/', 5],
  ['src/server/', 6],
  ['src/web/', 6],
  ['src/cli/', 7],
  ['src/index.ts', 8],
];

function rankOf(file: string): number {
  const hit = LAYERS.find(([prefix]) => file === prefix || file.startsWith(prefix));
  if (!hit) throw new Error(`${file} is in no layer: add its folder to LAYERS`);
  return hit[1];
}

/** Relative imports of every .ts module under src/ and adapters/, as repository paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const top of ['src', 'adapters']) {
    for (const f of readdirSync(join(ROOT, top), { recursive: true }).map(String)) {
      if (!f.endsWith('.ts')) continue;
      const file = `${top}/${f}`;
      const text = readFileSync(join(ROOT, file), 'utf8');
      const targets: string[] = [];
      // Static imports and re-exports (type-only ones too: they still couple the layers), and dynamic imports.
      for (const m of text.matchAll(/(?:from\s*|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)) {
        targets.push(relative(ROOT, resolve(dirname(join(ROOT, file)), m[1].replace(/\.js$/, '.ts'))));
      }
      graph.set(file, targets);
    }
  }
  return graph;
}

/** Imports that point up the layers. */
function upwardArrows(graph: Map<string, string[]>): string[] {
  const up: string[] = [];
  for (const [file, targets] of graph) for (const target of targets) if (rankOf(target) > rankOf(file)) up.push(`${file} -> ${target}`);
  return up;
}

/** Every circle found by a depth-first walk, as 'a -> b -> a'. */
function circles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const found: string[] = [];
  const visit = (file: string, path: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      found.push([...path.slice(path.indexOf(file)), file].join(' -> '));
      return;
    }
    state.set(file, 'open');
    for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  return found;
}

test('every import points down the layers', (t) => {
  const graph = importGraph();
  t.true(graph.size > 100, `${graph.size} modules`);
  t.deepEqual(upwardArrows(graph), []);
});

test('no module imports itself through a circle', (t) => {
  t.deepEqual(circles(importGraph()), []);
});

test('the checks find a planted upward arrow and a planted circle', (t) => {
  const planted = new Map([
    ['src/server/assets.ts', ['src/cli/context.ts']],
    ['src/cli/context.ts', []],
    ['src/core/linalg/eigen.ts', ['src/core/linalg/bandReduction.ts']],
    ['src/core/linalg/bandReduction.ts', ['src/core/linalg/eigen.ts']],
  ]);
  t.deepEqual(upwardArrows(planted), ['src/server/assets.ts -> src/cli/context.ts']);
  t.deepEqual(circles(planted), ['src/core/linalg/eigen.ts -> src/core/linalg/bandReduction.ts -> src/core/linalg/eigen.ts']);
  t.throws(() => rankOf('src/elsewhere/x.ts'), { message: /in no layer/ });
});
