import test from 'ava';
import { runPage } from '../../src/report/pages.js';
import type { RunRecord } from '../../src/store/schema.js';
import { assertRecord } from '../../src/store/schema.js';
import { dimensionRecord } from '../store/fixtures.js';
import { mapComplexity } from '../../src/core/complexity/complexity.js';
import { responseMatrix } from '../../src/core/matrix.js';
import { Rng } from '../../src/core/random.js';
import { toRunRecord } from '../../src/store/record.js';
import { dynamicsOfRuns } from '../../src/analysis/dynamicsRuns.js';
import { profileNetwork } from '../../src/analysis/network.js';

test("the run page lists the record's warnings, with every string from the data escaped", (t) => {
  const rec = dimensionRecord({
    effectiveDimensionCorrected: 2.7,
    warnings: [{ code: 'alpha-too-few-ranks', group: '<img src=x onerror=alert(1)>', message: 'fewer than 5 ranks <script>alert(2)</script>' }],
  });
  assertRecord(rec);
  const html = runPage(rec as RunRecord, { mode: 'linked' });
  t.regex(html, /<h2>Warnings<\/h2>/);
  t.regex(html, /<code>alpha-too-few-ranks<\/code>/);
  t.false(html.includes('<script>alert(2)'));
  t.false(html.includes('<img src=x'));
  t.true(html.includes('&lt;script&gt;alert(2)&lt;/script&gt;'));
  t.regex(html, /<th>corrected<\/th>/);
});

test('a record without warnings has no warnings section', (t) => {
  const rec = dimensionRecord();
  assertRecord(rec);
  t.false(runPage(rec as RunRecord, { mode: 'linked' }).includes('<h2>Warnings</h2>'));
});

test('a standalone report carries its record: the JSON link works offline and decodes to the record', (t) => {
  const rec = dimensionRecord({ label: 'a <b>label</b>' });
  assertRecord(rec);
  const inline = runPage(rec as RunRecord, { mode: 'inline', scripts: [], css: '' });
  t.false(inline.includes('/api/runs/'), 'no link to a server that is not there');
  const m = /id="record-json" download="neurorep-[0-9a-f-]+\.json" href="data:application\/json;base64,([A-Za-z0-9+/=]+)"/.exec(inline);
  t.truthy(m);
  t.deepEqual(JSON.parse(Buffer.from(m![1], 'base64').toString('utf8')), JSON.parse(JSON.stringify(rec)));
  t.regex(inline, /<th>label<\/th><td class="meta">a &lt;b&gt;label&lt;\/b&gt;<\/td>/);
  t.regex(runPage(rec as RunRecord, { mode: 'linked' }), /href="\/api\/runs\//);
});

test('a complexity/3 run page shows C with its fold seeds, its gain and the scale-curve chart', (t) => {
  const rng = new Rng(3);
  const xs = Array.from({ length: 400 }, () => 2 * rng.next() - 1);
  const x = responseMatrix(400, 1, Float64Array.from(xs));
  const y = responseMatrix(
    400,
    1,
    Float64Array.from(xs, (v) => Math.abs(v) + 0.02 * rng.normal()),
  );
  const result = mapComplexity(x, y, { seed: 0, repeats: 3 });
  const source = { path: '/data/x.npy', sha256: '0'.repeat(64), kind: 'matrix' };
  const rec = toRunRecord('complexity', [source, { ...source, path: '/data/y.npy' }], { seed: 0 }, result);
  const html = runPage(rec, { mode: 'linked' });
  const gain = (result as { gain: { absolute: number } }).gain.absolute;
  t.true(html.includes(`gain ${Number((100 * gain).toPrecision(2))} %`), 'the gain beside C in the chart title');
  t.regex(html, /complexity against resolution/);
  t.regex(html, /complexity \(C = 0\.69\d* \[0\.69\d*, 0\.69\d*\]/);
});

test('a several-run dynamics page: the runs chart, the pooled table and the groups compared, every run name escaped', (t) => {
  const rng = new Rng(2);
  const checkpoints = (shift: number) =>
    [1, 3, 10, 30, 100, 300].map((step, k) => ({
      step,
      layers: [
        {
          name: 'h',
          matrix: responseMatrix(
            40,
            6,
            Float64Array.from({ length: 240 }, (_, i) => rng.normal() * (i % 6 <= k / 2 + shift ? 1 : 0.1)),
          ),
        },
      ],
      input: null,
      source: `c${step}`,
    }));
  const d = dynamicsOfRuns(
    [
      { name: 'clean/s1', checkpoints: checkpoints(0) },
      { name: 'clean/s2', checkpoints: checkpoints(0) },
      { name: '<img src=x onerror=alert(1)>/s1', checkpoints: checkpoints(1) },
      { name: '<img src=x onerror=alert(1)>/s2', checkpoints: checkpoints(1) },
    ],
    { resamples: 20, complexity: { repeats: 1 } },
  );
  // As stored: through JSON (a fit of no values has NaN parameters, stored as null).
  const rec = JSON.parse(JSON.stringify(toRunRecord('dynamics', [], { seed: 0 }, d)));
  assertRecord(rec);
  const html = runPage(rec as RunRecord, { mode: 'linked' });
  t.regex(html, /<h2>Training dynamics over runs<\/h2>/);
  t.regex(html, /id="dynamics-runs"/);
  t.regex(html, /Groups compared \(Welch/);
  t.false(html.includes('<img src=x'));
  t.true(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
});

test('a network run with --stimulus-curve shows the D_eff-against-stimuli chart', (t) => {
  const rng = new Rng(5);
  const layer = (name: string) => ({
    name,
    matrix: responseMatrix(
      80,
      10,
      Float64Array.from({ length: 800 }, () => rng.normal()),
    ),
    shape: [10],
  });
  const p = profileNetwork([layer('a'), layer('b')], null, { stimulusCurve: true, complexity: { repeats: 1 } });
  const rec = JSON.parse(JSON.stringify(toRunRecord('network', [], { seed: 0 }, { ...p, layers: p.layers.map((l) => ({ ...l, shape: [10] })) })));
  assertRecord(rec);
  const html = runPage(rec as RunRecord, { mode: 'linked' });
  t.regex(html, /<h2>Effective dimension and the number of stimuli<\/h2>/);
  t.regex(html, /id="stimuli"/);
});
