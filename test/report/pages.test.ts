import test from 'ava';
import { runPage } from '../../src/report/pages.js';
import type { RunRecord } from '../../src/store/schema.js';
import { assertRecord } from '../../src/store/schema.js';
import { dimensionRecord } from '../store/fixtures.js';

test('the run page lists the record\'s warnings, with every string from the data escaped', (t) => {
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
