/**
 * The viewer's pages as report models -> HTML: the runs list, one run in detail, and the
 * comparison of several runs. Used by the server (assets linked) and by `neurorep report`
 * (assets inlined into one file).
 */

import { complexityDetail, complexityText } from '../analysis/complexityText.js';
import { withFlags } from './flags.js';
import { entitiesOf, type Comparison } from '../analysis/compare.js';
import type { DynamicsOfRuns } from '../analysis/dynamicsRuns.js';
import type { RunSummary } from '../store/runStore.js';
import { keyParams } from '../store/keyParams.js';
import type { GroupRecord, NullRecord, RunRecord, WarningRecord } from '../store/schema.js';
import { chartDiv, escapeHtml, num, page, type Chart, type PageAssets } from './html.js';
import {
  complexitySpec,
  scaleCurveSpec,
  layerMappingSpec,
  similarityHeatmapSpec,
  similarityOverTimeSpec,
  timeResolvedSpec,
  dynamicsRunsSpec,
  dynamicsSpec,
  neuronCurveSpec,
  stimulusCurveSpec,
  patternsSpec,
  profileSpec,
  readableObservable,
  spectrumSpec,
  summarySpec,
} from './specs.js';
import { areaSpread, poolName, SUMMARY_OBSERVABLES, type SummaryRow } from '../analysis/summary.js';

/** What the charts of one area, layer or matrix read: a group of a record, as its schema types it. */
type Group = Partial<Pick<GroupRecord, 'spectrum' | 'alphaRange' | 'alpha' | 'cvPCA' | 'patterns' | 'complexity' | 'neuronCurve' | 'stimulusCurve'>> & {
  name: string;
};

/** The warnings of a record, as a list (strings from data files escaped). */
function warningsBlock(ws: readonly Pick<WarningRecord, 'code' | 'group' | 'message'>[] | undefined): string {
  if (!ws || ws.length === 0) return '';
  return `<h2>Warnings</h2><ul class="warnings">${ws.map((w) => `<li><code>${escapeHtml(w.code)}</code>${w.group ? ` <b>${escapeHtml(w.group)}</b>` : ''}: ${escapeHtml(withFlags(w.message))}</li>`).join('')}</ul>`;
}

const pText = (n: NullRecord | undefined) => (n ? ` (p = ${n.pValue < 0.001 ? '<0.001' : num(n.pValue)}, ${n.samples} shuffles)` : '');

export function runsListPage(runs: RunSummary[], assets: PageAssets): string {
  const rows = runs
    .map(
      (r) =>
        `<tr><td><a href="/runs/${escapeHtml(r.id)}"><code>${escapeHtml(r.id.slice(0, 8))}</code></a></td><td>${escapeHtml(r.kind)}</td><td data-value="${escapeHtml(r.createdAt)}">${escapeHtml(r.createdAt.slice(0, 19).replace('T', ' '))}</td><td>${escapeHtml(r.sourceKind)}</td><td class="meta">${escapeHtml(r.sourcePath)}</td><td>${escapeHtml(r.label ?? '')}</td><td class="meta">${escapeHtml(r.keyParams)}</td><td>${escapeHtml(r.summary)}</td></tr>`,
    )
    .join('\n');
  const body = runs.length
    ? `<h1>Runs</h1><p class="meta">${runs.length} run${runs.length === 1 ? '' : 's'}; click a column to sort. <a href="/compare">Compare runs</a>.</p>
<table class="sortable" id="runs"><thead><tr><th>id</th><th>kind</th><th>created</th><th>source kind</th><th>source</th><th>label</th><th>parameters</th><th>summary</th></tr></thead><tbody>
${rows}
</tbody></table>`
    : `<h1>Runs</h1><p>No runs yet. Run <code>npx neurorep demo</code>, or analyze a file of your own.</p>`;
  return page('neurorep: runs', body, [], assets);
}

function groupCharts(prefix: string, g: Group, charts: Chart[]): string {
  const parts: string[] = [];
  const add = (suffix: string, spec: Record<string, unknown>) => {
    const id = `${prefix}-${suffix}`;
    charts.push({ id, spec });
    parts.push(chartDiv(id));
  };
  if (g.spectrum?.length) add('spectrum', spectrumSpec(`${g.name}: spectrum`, g.spectrum, g.alphaRange ?? null, g.alpha ?? null));
  if (g.cvPCA?.spectrum?.length) {
    const ranks = g.cvPCA.signalVariance.map((v, i) => (v > 0 ? i + 1 : -1)).filter((r) => r > 0);
    add('cvpca', spectrumSpec(`${g.name}: cvPCA signal spectrum`, g.cvPCA.spectrum, g.cvPCA.alphaRange ?? null, g.cvPCA.alpha ?? null, ranks));
  }
  if (g.patterns?.curve?.length) add('patterns', patternsSpec(`${g.name}: activation patterns`, g.patterns.curve));
  if (g.complexity?.curve?.length)
    add(
      'complexity',
      complexitySpec(
        `${g.name}: complexity (C = ${complexityText(g.complexity)})${pText(g.complexity.null)}`,
        g.complexity.curve,
        (g.complexity.complexity ?? 0) > 0 ? g.complexity.kStar : null,
      ),
    );
  const scale = (g.complexity as { scaleCurve?: { resolution: number; complexity: number | null }[]; resolution?: number } | undefined)?.scaleCurve;
  if (scale?.some((c) => c.complexity !== null))
    add('scale', scaleCurveSpec(`${g.name}: complexity against resolution`, scale, (g.complexity as { resolution?: number }).resolution ?? null));
  return `<div class="charts">${parts.join('')}</div>`;
}

function metaTable(r: RunRecord): string {
  const sources = Array.isArray(r.source) ? r.source : [r.source];
  const rows: [string, string][] = [
    ['id', r.id],
    ['kind', r.kind],
    ['created', r.createdAt],
    ['toolkit version', r.toolkitVersion],
    ...sources.map((s, i): [string, string] => [`source${sources.length > 1 ? ` ${i + 1}` : ''}`, `${s.path} (${s.kind}, sha256 ${s.sha256.slice(0, 16)}...)`]),
    ...(r.label ? [['label', r.label] as [string, string]] : []),
    ['key parameters', keyParams(r.params)],
    ['all parameters', JSON.stringify(r.params)],
  ];
  if (r.kind === 'analyze') {
    rows.push(['session', `${r.session.identifier}: ${r.session.sessionDescription}`]);
  }
  return `<table class="meta-table">${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td class="meta">${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

function entityTable(r: RunRecord): string {
  const ents = entitiesOf(r);
  if (ents.length === 0) return '';
  const matched = ents.some((e) => e.matchedEffectiveDimension);
  const fromInput = new Map((r.kind === 'network' ? (r.inputTransitions ?? []) : []).map((t) => [t.to, t]));
  const inputCell = (name: string) => {
    if (!fromInput.size) return '';
    const t = fromInput.get(name);
    const detail = complexityDetail(t);
    return `<td class="num">${num(t?.complexity)}${detail ? ` <span class="meta">${escapeHtml(detail)}</span>` : ''}</td>`;
  };
  return `<table class="sortable"><thead><tr><th>${r.kind === 'network' ? 'layer' : r.kind === 'analyze' ? 'area' : 'matrix'}</th><th>n</th><th>d</th><th>D_eff</th><th>95% CI</th><th>corrected</th>${matched ? '<th>D_eff at matched neurons</th>' : ''}<th>alpha</th><th>switching</th><th>complexity</th>${fromInput.size ? '<th>complexity from the input</th>' : ''}</tr></thead><tbody>${ents
    .map(
      (e) =>
        `<tr><td>${escapeHtml(e.name)}</td><td class="num">${num(e.n)}</td><td class="num">${num(e.d)}</td><td class="num">${num(e.effectiveDimension)}</td><td class="num">${e.effectiveDimensionCI ? `${num(e.effectiveDimensionCI[0])}-${num(e.effectiveDimensionCI[1])}` : '-'}</td><td class="num">${num(e.effectiveDimensionCorrected)}</td>${matched ? `<td class="num">${e.matchedEffectiveDimension ? `${num(e.matchedEffectiveDimension.mean)} &plusmn; ${num(e.matchedEffectiveDimension.sd)} <span class="meta">at ${e.matchedEffectiveDimension.neurons}</span>` : '-'}</td>` : ''}<td class="num">${num(e.alpha)}</td><td class="num">${num(e.switchingFraction)}</td><td class="num">${e.complexity === null ? '-' : `${num(e.complexity)} <span class="meta">${e.complexityDetail ? `${escapeHtml(e.complexityDetail)}, ` : ''}from ${escapeHtml(e.complexityFrom)}</span>`}</td>${inputCell(e.name)}</tr>`,
    )
    .join('')}</tbody></table>`;
}

export function runPage(r: RunRecord, assets: PageAssets): string {
  const { title, body, charts } = runPageContent(r, assets);
  return page(title, body, charts, assets);
}

/** A run page's title, body (HTML, every string from data escaped) and charts: the viewer's page, a report's, and the browser app's result. */
export function runPageContent(r: RunRecord, assets: PageAssets): { title: string; body: string; charts: Chart[] } {
  const charts: Chart[] = [];
  const sections: string[] = [`<h1>${escapeHtml(r.kind)} run <code>${escapeHtml(r.id.slice(0, 8))}</code></h1>`, metaTable(r)];
  if (assets.mode === 'linked') sections.push(`<p class="meta">Record as JSON: <a href="/api/runs/${escapeHtml(r.id)}">/api/runs/${escapeHtml(r.id)}</a></p>`);
  else if (assets.mode === 'inline') {
    // Offline there is no API: the record travels inside the report, as a download link.
    const json = Buffer.from(JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))).toString('base64');
    sections.push(
      `<p class="meta">Record as JSON: <a id="record-json" download="neurorep-${escapeHtml(r.id)}.json" href="data:application/json;base64,${json}">neurorep-${escapeHtml(r.id.slice(0, 8))}.json</a> (embedded in this file)</p>`,
    );
  }
  const table = entityTable(r);
  if (table) sections.push('<h2>Observables</h2>', table);
  sections.push(warningsBlock(r.warnings));
  switch (r.kind) {
    case 'dimension':
      sections.push('<h2>Spectrum</h2>', groupCharts('run', { ...r, name: 'matrix' }, charts));
      break;
    case 'complexity':
      sections.push('<h2>Complexity curve</h2>', groupCharts('run', { name: 'X -> Y', complexity: r }, charts));
      break;
    case 'patterns':
      sections.push('<h2>Pattern entropy</h2>', groupCharts('run', { name: 'matrix', patterns: r }, charts));
      break;
    case 'analyze':
    case 'network': {
      const groups = r.kind === 'analyze' ? r.groups : r.layers;
      const ents = entitiesOf(r);
      if (ents.length > 1) {
        charts.push({ id: 'profile', spec: profileSpec(r.kind === 'network' ? 'Depth profile' : 'Area profile', ents) });
        sections.push(`<h2>${r.kind === 'network' ? 'Depth' : 'Area'} profile</h2>`, `<div class="charts">${chartDiv('profile')}</div>`);
      }
      const curves = groups.filter((g) => g.neuronCurve?.length).map((g) => ({ name: g.name, curve: g.neuronCurve! }));
      if (curves.length) {
        charts.push({ id: 'neurons', spec: neuronCurveSpec('D_eff against the number of neurons (random subsets, mean +- sd)', curves) });
        sections.push('<h2>Effective dimension and the number of neurons</h2>', `<div class="charts">${chartDiv('neurons')}</div>`);
      }
      const byStimuli = groups.filter((g) => g.stimulusCurve?.length).map((g) => ({ name: g.name, curve: g.stimulusCurve! }));
      if (byStimuli.length) {
        charts.push({
          id: 'stimuli',
          spec: stimulusCurveSpec('D_eff against the number of stimuli (plug-in: mean +- sd over random subsets; dashed: corrected)', byStimuli),
        });
        sections.push('<h2>Effective dimension and the number of stimuli</h2>', `<div class="charts">${chartDiv('stimuli')}</div>`);
      }
      const tr = r.kind === 'analyze' ? r.timeResolved : null;
      if (tr && tr.windows.length) {
        charts.push({ id: 'over-time', spec: timeResolvedSpec(tr.windows, SUMMARY_OBSERVABLES) });
        sections.push(
          '<h2>Over time</h2>',
          `<p class="meta">Windows of ${num(tr.width)} s every ${num(tr.step)} s after the alignment time; hover a point for its window and interval.</p>`,
          `<div class="charts">${chartDiv('over-time')}</div>`,
        );
      }
      groups.forEach((g, i) => sections.push(`<h2>${escapeHtml(g.name)}</h2>`, groupCharts(`g${i}`, g, charts)));
      const transitions = r.transitions ?? [];
      if (transitions.length) {
        sections.push(`<h2>Complexity between ${r.kind === 'network' ? 'layers' : 'areas'}</h2>`);
        transitions.forEach((t, i) => sections.push(groupCharts(`t${i}`, { name: `${t.from} -> ${t.to}`, complexity: t }, charts)));
      }
      const fromInput = r.kind === 'network' ? (r.inputTransitions ?? []) : [];
      if (fromInput.length) {
        sections.push('<h2>Complexity from the input</h2>');
        fromInput.forEach((t, i) => sections.push(groupCharts(`i${i}`, { name: `${t.from} -> ${t.to}`, complexity: t }, charts)));
      }
      break;
    }
    case 'dynamics':
      if (isSeveralRuns(r)) {
        sections.push(...severalRunsSections(r, charts));
        break;
      }
      charts.push({ id: 'dynamics', spec: dynamicsSpec('Observables over training (dashed: the selected model)', r.steps, r.series) });
      sections.push('<h2>Training dynamics</h2>', `<div class="charts">${chartDiv('dynamics')}</div>`);
      sections.push(
        `<table class="sortable"><thead><tr><th>layer</th><th>observable</th><th>selected (AICc)</th><th>power law b [95% CI]</th><th>b: lower / upper half</th><th>notes</th></tr></thead><tbody>${r.series
          .map((s) => {
            const power = s.fits?.find((f) => f.model === 'power');
            const iv = power?.intervals.b ? ` [${num(power.intervals.b[0])}, ${num(power.intervals.b[1])}]` : '';
            return `<tr><td>${escapeHtml(s.layer)}</td><td>${escapeHtml(readableObservable(s.observable))}</td><td>${escapeHtml(s.selected ?? (s.fits ? '-' : 'power (dynamics/1)'))}</td><td class="num">${power ? `${num(power.params.b)}${iv}` : num(s.fit.b)}</td><td class="num">${s.exponentByHalf ? `${num(s.exponentByHalf.lower)} / ${num(s.exponentByHalf.upper)}` : '-'}</td><td>${(s.warnings ?? []).map(escapeHtml).join('; ')}</td></tr>`;
          })
          .join('')}</tbody></table>`,
      );
      break;
  }
  return { title: `neurorep: ${r.kind} ${r.id.slice(0, 8)}`, body: sections.join('\n'), charts };
}

function isSeveralRuns(r: RunRecord): r is RunRecord & DynamicsOfRuns {
  return r.kind === 'dynamics' && Array.isArray((r as { pooled?: unknown }).pooled);
}

/** Several runs: the log-log chart with per-run lines, bands and fits; the pooled table; the groups compared. */
function severalRunsSections(r: DynamicsOfRuns, charts: Chart[]): string[] {
  const ci = (iv: [number, number] | null | undefined) => (iv ? ` [${num(iv[0])}, ${num(iv[1])}]` : '');
  charts.push({
    id: 'dynamics-runs',
    spec: dynamicsRunsSpec(
      `${r.runs.length} runs in ${r.groups.length} group(s), log-log (thin: runs; band: 95% CI over runs; dashed: selected model; zeros not drawn)`,
      r,
    ),
  });
  const rows = r.pooled
    .map((p) => {
      const b = p.exponent.pooled;
      const m = p.selected === 'logistic' ? p.params.midpoint : undefined;
      return `<tr><td>${escapeHtml(p.group)}</td><td>${escapeHtml(p.layer)}</td><td>${escapeHtml(readableObservable(p.observable))}</td><td class="num">${p.runs.length}</td><td>${escapeHtml(p.selected ?? '-')}${p.selected && p.selected !== 'power' && p.deltaAicc.power !== undefined ? ` (power law +${num(p.deltaAicc.power)})` : ''}</td><td class="num">${b ? `${num(b.mean)}${ci(b.interval)}` : '-'}</td><td class="num">${p.exponent.perRun.map((x) => num(x.b)).join(', ')}</td><td class="num">${m ? `${num(m.mean)}${ci(m.interval)}` : '-'}</td><td>${p.warnings.map(escapeHtml).join('; ')}</td></tr>`;
    })
    .join('');
  const tests = r.comparisons
    .filter((c) => c.test)
    .map(
      (c) =>
        `<tr><td>${escapeHtml(c.groups[0])} - ${escapeHtml(c.groups[1])}</td><td>${escapeHtml(c.layer)}</td><td>${escapeHtml(readableObservable(c.observable))}</td><td class="num">${num(c.test!.difference)}${ci(c.test!.interval)}</td><td class="num">${num(c.test!.pValue)}</td></tr>`,
    )
    .join('');
  return [
    '<h2>Training dynamics over runs</h2>',
    `<div class="charts">${chartDiv('dynamics-runs')}</div>`,
    `<table class="sortable"><thead><tr><th>group</th><th>layer</th><th>observable</th><th>runs</th><th>selected (summed AICc)</th><th>power law b, pooled [95% CI over runs]</th><th>b per run</th><th>logistic step at t</th><th>notes</th></tr></thead><tbody>${rows}</tbody></table>`,
    ...(tests
      ? [
          "<h3>Groups compared (Welch's t test of the runs' exponents)</h3>",
          `<table class="sortable"><thead><tr><th>groups</th><th>layer</th><th>observable</th><th>difference of b [95% CI]</th><th>p</th></tr></thead><tbody>${tests}</tbody></table>`,
        ]
      : []),
  ];
}

export function comparePage(all: RunSummary[], selected: string[], cmp: Comparison | null, assets: PageAssets): string {
  const charts: Chart[] = [];
  const picker = `<form class="picker" method="get" action="/compare"><h2>Pick runs</h2>${all
    .filter((r) => r.kind !== 'dynamics')
    .map(
      (r) =>
        `<label><input type="checkbox" name="ids" value="${escapeHtml(r.id)}"${selected.includes(r.id) ? ' checked' : ''}> <code>${escapeHtml(r.id.slice(0, 8))}</code> ${escapeHtml(r.kind)}${r.label ? ` <b>${escapeHtml(r.label)}</b>` : ''}: ${escapeHtml(r.summary)} <span class="meta">(${escapeHtml(r.sourcePath.split(/[\\/]/).pop() ?? '')}${r.keyParams ? `; ${escapeHtml(r.keyParams)}` : ''})</span></label>`,
    )
    .join('')}<p><button type="submit">Compare</button></p></form>`;
  const parts = ['<h1>Compare</h1>'];
  if (cmp && cmp.entities.length) {
    parts.push(
      `<p class="meta">${cmp.runs.map((r) => `<a href="/runs/${escapeHtml(r.id)}"><code>${escapeHtml(r.id.slice(0, 8))}</code></a> ${escapeHtml(r.kind)}: ${escapeHtml(r.source)}`).join('<br>')}</p>`,
    );
    charts.push({ id: 'profile', spec: profileSpec('Areas and layers on shared axes', cmp.entities) });
    parts.push('<h2>Side by side</h2>', `<div class="charts">${chartDiv('profile')}</div>`);
    parts.push(warningsBlock(cmp.warnings));
    const sim = cmp.similarity;
    if (sim && sim.tables.some((t) => t.cells.some((r) => r.some((c) => c !== null)))) {
      parts.push(
        `<h2>Similarities: layers x areas</h2><p class="meta">${sim.folds}-fold cross-validation over stimuli${sim.intervals ? `; 95% intervals by a grouped jackknife (${sim.intervals} groups)` : ''}${sim.nulls ? `; p-values against ${sim.nulls} permutations` : ''}; hover a cell for its interval, p-value, noise ceiling and ceiling-normalised score. Definitions: docs/observables.md section 7.</p>`,
      );
      const divs: string[] = [];
      sim.tables.forEach((t, k) => {
        if (t.cells.every((r) => r.every((c) => c === null))) return;
        charts.push({ id: `sim-${k}`, spec: similarityHeatmapSpec(t, sim.rows, sim.cols) });
        divs.push(chartDiv(`sim-${k}`));
      });
      parts.push(`<div class="charts">${divs.join('')}</div>`);
      if (sim.ceilings.length) {
        parts.push(
          `<h2>Noise ceilings</h2><table><thead><tr><th>area</th><th>neurons</th><th>stimuli</th><th>median reliability</th><th>predictivity ceiling</th><th>other measures' ceilings</th></tr></thead><tbody>${sim.ceilings
            .map(
              (c) =>
                `<tr><td>${escapeHtml(c.name)}</td><td class="num">${c.neurons}</td><td class="num">${c.stimuli}</td><td class="num">${num(c.medianReliability)}</td><td class="num">${num(c.predictivityCeiling)}</td><td>${(c.measures ?? []).map((m) => `${escapeHtml(m.metric)} ${num(m.ceiling)}${m.interval ? ` [${num(m.interval[0])}, ${num(m.interval[1])}]` : ''}`).join(', ')}</td></tr>`,
            )
            .join(
              '',
            )}</tbody></table><p class="meta">Predictivity: split halves of the repeats, Spearman-Brown corrected per neuron. Other measures (${escapeHtml(sim.definition ?? 'compare/2')}): ${sim.ceilingMethod === 'extrapolated' ? "the halves' similarity extrapolated to the full average by simulated noise" : 'sqrt of the Spearman-Brown corrected similarity of the halves'}. A perfect model of the signal reaches the ceiling, not 1.</p>`,
        );
      }
      if (sim.mapping.length) {
        charts.push({ id: 'mapping', spec: layerMappingSpec(sim.mapping, sim.tables, sim.cols) });
        const best = sim.mapping
          .filter((m) => m.best !== null)
          .map(
            (m) =>
              `<tr><td>${escapeHtml(m.area)}</td><td>${escapeHtml(m.metric)}</td><td><b>${escapeHtml(m.layers[m.best!])}</b></td><td class="num">${m.winShare ? `${Math.round(100 * m.winShare[m.best!])}%` : '-'}</td><td>${m.bestSet ? m.bestSet.map((l) => escapeHtml(m.layers[l])).join(', ') : '-'}</td></tr>`,
          )
          .join('');
        parts.push(
          '<h2>Layer mapping</h2>',
          `<div class="charts">${chartDiv('mapping')}</div>`,
          `<table><thead><tr><th>area</th><th>measure</th><th>best layer</th><th>bootstrap wins</th><th>layers winning 95%</th></tr></thead><tbody>${best}</tbody></table>`,
        );
      }
      if (sim.timeCourse?.length) {
        charts.push({ id: 'sim-over-time', spec: similarityOverTimeSpec(sim.timeCourse) });
        parts.push('<h2>Similarity over time</h2>', `<div class="charts">${chartDiv('sim-over-time')}</div>`);
      }
      for (const n of sim.notes) parts.push(`<p class="note">${escapeHtml(n)}</p>`);
    } else if (cmp.cka) {
      for (const n of cmp.cka.notes) parts.push(`<p class="note">${escapeHtml(n)}</p>`);
    }
  } else {
    parts.push('<p>Pick two or more runs below (for example a network profile and an NWB analysis on the same stimuli).</p>');
  }
  parts.push(picker);
  return page('neurorep: compare', parts.join('\n'), charts, assets);
}

/** The cross-session summary: one chart per observable (areas x sessions) and the full table. */
export function summaryPage(label: string, rows: SummaryRow[], batches: string[], assets: PageAssets): string {
  const charts: Chart[] = [];
  const parts = [`<h1>Summary</h1>`];
  if (batches.length)
    parts.push(
      `<p class="meta">Batches: ${batches.map((b) => `<a href="/summary?batch=${escapeHtml(b)}"><code>${escapeHtml(b.slice(0, 8))}</code></a>`).join(' ')}</p>`,
    );
  if (!rows.length) {
    parts.push('<p>No batch of analyze runs in this store yet. Run <code>npx neurorep batch sessions/ --stimulus COLUMN</code>.</p>');
    return page('neurorep: summary', parts.join('\n'), charts, assets);
  }
  const sessions = new Set(rows.map((r) => r.runId)).size;
  parts.push(
    `<p class="meta">${escapeHtml(label)}: ${sessions} session${sessions === 1 ? '' : 's'}; every point is a session (click to open its run); black: mean &plusmn; sd over sessions.</p>`,
  );
  const divs: string[] = [];
  for (const key of SUMMARY_OBSERVABLES) {
    const points = rows.filter((r) => r.values[key] !== null).map((r) => ({ area: poolName(r), session: r.session, value: r.values[key]!, runId: r.runId }));
    if (!points.length) continue;
    charts.push({
      id: `summary-${key}`,
      spec: summarySpec(key === 'cvPcaEffectiveDimension' ? 'cvPCA effective dimension' : readableObservable(key), points, areaSpread(rows, key)),
    });
    divs.push(chartDiv(`summary-${key}`));
  }
  parts.push(`<div class="charts">${divs.join('')}</div>`);
  const cell = (r: SummaryRow, k: string) => {
    const v = r.values[k];
    const iv = r.intervals[k];
    return `<td class="num">${v === null ? '-' : `${num(v)}${iv ? ` <span class="meta">[${num(iv[0])}, ${num(iv[1])}]</span>` : ''}`}</td>`;
  };
  parts.push(
    `<table class="sortable"><thead><tr><th>session</th><th>area</th><th>d</th><th>n</th>${SUMMARY_OBSERVABLES.map((k) => `<th>${escapeHtml(k === 'cvPcaEffectiveDimension' ? 'cvPCA D_eff' : readableObservable(k))}</th>`).join('')}</tr></thead><tbody>${rows
      .map(
        (r) =>
          `<tr><td><a href="/runs/${escapeHtml(r.runId)}">${escapeHtml(r.session)}</a></td><td>${escapeHtml(r.area)}</td><td class="num">${r.neurons}</td><td class="num">${r.stimuli}</td>${SUMMARY_OBSERVABLES.map((k) => cell(r, k)).join('')}</tr>`,
      )
      .join('')}</tbody></table>`,
  );
  return page('neurorep: summary', parts.join('\n'), charts, assets);
}
