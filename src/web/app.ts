/**
 * The browser app's page: open a recording (URL or local file) or a run record, show its
 * inventory as `neurorep info` does, take analyze's options, run the analysis in a worker with
 * progress and cancel, and show the run as the viewer does, with the record to download. Every
 * string from a file reaches the page as text (textContent) or through the viewer's escaping
 * (runPageContent); nothing is sent anywhere but the range requests to the file's own host.
 */

import { isStimulusCandidate, type ColumnStats, type NwbInventory } from '../../adapters/nwb/inventory.js';
import { runPageContent } from '../report/pages.js';
import { upgradeRecord } from '../store/recordShape.js';
import { assertRecord, type RunRecord } from '../store/schema.js';
import { changedShard, checksummedText, parseShard, shardContents, SHARD_FORMAT } from '../store/shardFormat.js';
import type { AppAnalyzeOptions, FromWorker, ToWorker } from './protocol.js';
import { sha256Hex } from './digest.js';

declare const vegaEmbed: (el: HTMLElement, spec: unknown, opts: Record<string, unknown>) => Promise<unknown>;

type Opened = { url: string } | { file: File };

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

let worker: Worker | null = null;
let opened: Opened | null = null;
let downloadUrl: string | null = null;

function show(id: string, on: boolean): void {
  $(id).hidden = !on;
}

function setStatus(text: string): void {
  $('status').textContent = text;
}

function fail(message: string): void {
  const box = $('error');
  box.textContent = message;
  box.hidden = false;
  show('progress', false);
  document.body.dataset.state = 'error';
}

function clearError(): void {
  $('error').hidden = true;
}

function bytes(n: number): string {
  return n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`;
}

/** A fresh analysis worker that opens the recording; resolves when its inventory is shown. */
function openRecording(what: Opened): Promise<void> {
  worker?.terminate();
  opened = what;
  clearError();
  show('result', false);
  show('options', false);
  show('inventory', false);
  show('progress', true);
  $<HTMLProgressElement>('bar').removeAttribute('value');
  setStatus(`opening ${'url' in what ? what.url : what.file.name} ...`);
  document.body.dataset.state = 'opening';
  const w = new Worker(new URL('./analysis.js', document.baseURI));
  worker = w;
  return new Promise((resolve) => {
    w.onmessage = (e: MessageEvent) => {
      const m = e.data as FromWorker;
      if (m.type === 'opened') {
        showInventory(m.inventory, m.threads, m.fetchedBytes, m.size);
        show('progress', false);
        document.body.dataset.state = 'opened';
        resolve();
      } else if (m.type === 'error') {
        fail(m.message);
        resolve();
      } else handleProgress(m);
    };
    w.onerror = (e) => {
      fail(`the analysis worker failed: ${e.message}`);
      resolve();
    };
    w.postMessage(('url' in what ? { type: 'open', url: what.url } : { type: 'open', file: what.file }) satisfies ToWorker);
  });
}

function handleProgress(m: FromWorker): void {
  const bar = $<HTMLProgressElement>('bar');
  if (m.type === 'progress') {
    setStatus(m.label);
    if (m.total > 0) {
      bar.max = m.total;
      bar.value = m.done;
    }
  } else if (m.type === 'fetched') $('fetched').textContent = `read ${bytes(m.fetchedBytes)} of ${bytes(m.size)}`;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function example(v: string | number): string {
  return typeof v === 'string' ? JSON.stringify(v.length > 24 ? v.slice(0, 24) + '...' : v) : String(Number(v.toPrecision(6)));
}

function columnLine(c: ColumnStats): string {
  const rep = c.repeats ? (c.repeats.max === 1 ? 'all distinct' : `rows per value ${c.repeats.min}/${c.repeats.median}/${c.repeats.max} (min/median/max)`) : '';
  const ex = c.examples.length ? `; e.g. ${c.examples.map(example).join(', ')}` : '';
  return `${c.type}${c.distinct !== null ? `, ${c.distinct} distinct` : ''}${rep ? `, ${rep}` : ''}${ex}`;
}

/** The inventory as `neurorep info` gives it, and the options form filled from it. */
function showInventory(inv: NwbInventory, threads: number, fetched: number, size: number): void {
  const box = $('inventory');
  box.replaceChildren();
  const s = inv.session;
  box.append(el('h2', 'Recording'));
  const p = el('p');
  p.append(el('strong', inv.path), ` : NWB ${s.nwbVersion || '(version missing)'}, ${bytes(inv.bytes)}; session `, el('code', s.identifier));
  p.append(`: ${s.sessionDescription || '(no description)'}; started ${s.sessionStartTime || '?'}`);
  box.append(
    p,
    el('p', `read so far: ${bytes(fetched)} of ${bytes(size)}; the analysis runs on ${threads} thread${threads === 1 ? '' : 's'} of this computer`, 'meta'),
  );
  const list = el('ul');
  if (inv.units) {
    const u = inv.units;
    list.append(el('li', `units: ${u.count} units, ${u.spikes} spikes; columns ${u.columns.join(', ')}`));
    if (u.areas) list.append(el('li', `areas: ${u.areas.map((a) => `${a.name} (${a.units})`).join('; ')}`));
    if (u.electrodeColumns.length) list.append(el('li', `electrodes columns (also for "group by"): ${u.electrodeColumns.join(', ')}`));
  } else list.append(el('li', 'units: none'));
  for (const o of inv.ophys) list.append(el('li', `ophys ${o.path}: ${o.shape.join(' x ')} (${o.rois} ROIs)`));
  for (const e of inv.ecephys) list.append(el('li', `ecephys ${e.path} (${e.neurodataType}): ${e.shape.join(' x ')}`));
  box.append(list);
  for (const t of inv.intervals) {
    box.append(el('h3', `${t.path}: ${t.rows} row${t.rows === 1 ? '' : 's'}`));
    const table = el('table');
    const head = el('tr');
    head.append(el('th', 'column'), el('th', 'values'), el('th', ''));
    table.append(head);
    for (const c of t.columnStats) {
      const tr = el('tr');
      tr.append(el('td', c.name), el('td', columnLine(c)), el('td', isStimulusCandidate(c) ? 'a stimulus candidate' : '', 'meta'));
      table.append(tr);
    }
    box.append(table);
  }
  if (!inv.intervals.length) box.append(el('p', 'No interval tables: the rows are consecutive time bins (give their width below).', 'meta'));
  show('inventory', true);
  fillOptions(inv);
}

function option(value: string, text: string, selected = false): HTMLOptionElement {
  const o = el('option', text);
  o.value = value;
  o.selected = selected;
  return o;
}

function fillOptions(inv: NwbInventory): void {
  const tableSel = $<HTMLSelectElement>('opt-table');
  tableSel.replaceChildren(...inv.intervals.map((t) => option(t.path, `${t.path} (${t.rows} rows)`, t.path === '/intervals/trials')));
  const fillColumns = () => {
    const t = inv.intervals.find((x) => x.path === tableSel.value);
    const cols = t?.columnStats ?? [];
    const numeric = cols.filter((c) => c.type === 'number');
    $<HTMLSelectElement>('opt-align').replaceChildren(...numeric.map((c) => option(c.name, c.name, c.name === 'start_time')));
    const candidates = cols.filter(isStimulusCandidate);
    const others = cols.filter((c) => !isStimulusCandidate(c) && (c.type === 'number' || c.type === 'string'));
    $<HTMLSelectElement>('opt-stimulus').replaceChildren(
      option('', '(none)', true),
      ...candidates.map((c) => option(c.name, `${c.name} (a candidate: ${c.distinct} values)`)),
      ...others.map((c) => option(c.name, c.name)),
    );
  };
  tableSel.onchange = fillColumns;
  fillColumns();
  // Without interval tables the rows are time bins (as analyze --bin): the bin width is asked for.
  $<HTMLInputElement>('opt-bin').value = inv.intervals.length ? '' : '0.5';
  show('options', true);
}

/** The options in the form, checked as the CLI checks them. */
function readOptions(): AppAnalyzeOptions {
  const num = (id: string, what: string, min: number): number => {
    const v = Number($<HTMLInputElement>(id).value);
    if (!Number.isInteger(v) || v < min) throw new Error(`${what}: a whole number from ${min}, got '${$<HTMLInputElement>(id).value}'`);
    return v;
  };
  const binText = $<HTMLInputElement>('opt-bin').value.trim();
  const bin = binText === '' ? undefined : Number(binText);
  if (bin !== undefined && !(bin > 0)) throw new Error(`time bins: a positive number of seconds, got '${binText}'`);
  const windowText = $<HTMLInputElement>('opt-window').value.trim();
  const parts = windowText.split(',').map((x) => Number(x.trim()));
  if (parts.length !== 2 || parts.some((v) => !Number.isFinite(v)) || !(parts[1] > parts[0]))
    throw new Error(`window: two numbers A,B in seconds with B > A, got '${windowText}'`);
  const intervals = num('opt-intervals', 'interval groups', 0);
  if (intervals === 1) throw new Error('interval groups: 0 (none) or at least 2');
  const groupBy = $<HTMLInputElement>('opt-groupby').value.trim();
  const stimulus = $<HTMLSelectElement>('opt-stimulus').value;
  return {
    table: bin === undefined ? $<HTMLSelectElement>('opt-table').value || undefined : undefined,
    align: bin === undefined ? $<HTMLSelectElement>('opt-align').value || undefined : undefined,
    window: bin === undefined ? [parts[0], parts[1]] : undefined,
    bin,
    transitions: $<HTMLInputElement>('opt-transitions').checked || undefined,
    matchNeurons: $<HTMLInputElement>('opt-match').checked ? 'smallest' : undefined,
    groupBy: groupBy || undefined,
    stimulus: bin === undefined ? stimulus || undefined : undefined,
    intervals,
    nulls: num('opt-nulls', 'permutations', 0),
    seed: num('opt-seed', 'seed', 0),
  };
}

async function analyze(): Promise<void> {
  clearError();
  let options: AppAnalyzeOptions;
  try {
    options = readOptions();
  } catch (err) {
    fail((err as Error).message);
    return;
  }
  // A cancelled run terminated the worker: open the recording again (from the browser's cache of blocks it is quick).
  if (!worker && opened) await openRecording(opened);
  if (!worker) return;
  show('result', false);
  show('progress', true);
  $<HTMLProgressElement>('bar').removeAttribute('value');
  setStatus('analyzing ...');
  document.body.dataset.state = 'analyzing';
  const w = worker;
  w.onmessage = (e: MessageEvent) => {
    const m = e.data as FromWorker;
    if (m.type === 'result') {
      show('progress', false);
      const record = m.record as RunRecord;
      const share = m.size > 0 ? (100 * m.fetchedBytes) / m.size : 0;
      showRecord(
        record,
        m.shard,
        `analysed in ${m.seconds.toFixed(1)} s; read ${bytes(m.fetchedBytes)} of ${bytes(m.size)} (${share.toFixed(1)} %) in ${m.requests} reads`,
      );
      document.body.dataset.state = 'done';
    } else if (m.type === 'error') fail(m.message);
    else handleProgress(m);
  };
  w.postMessage({ type: 'analyze', options } satisfies ToWorker);
}

function cancel(): void {
  worker?.terminate();
  worker = null;
  show('progress', false);
  setStatus('');
  const box = $('error');
  box.textContent = 'Cancelled. Nothing was kept; Analyze starts again.';
  box.hidden = false;
  document.body.dataset.state = 'cancelled';
}

/** A run (from the worker or from a record file) as the viewer shows it, with its record to download. */
function showRecord(record: RunRecord, shard: string, note: string): void {
  const { body, charts } = runPageContent(record, { mode: 'app' });
  const run = $('run');
  // The viewer's HTML: every string from the file went through escapeHtml there.
  run.innerHTML = body;
  $('result-note').textContent = note;
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(new Blob([shard], { type: 'application/json' }));
  const a = $<HTMLAnchorElement>('download');
  a.href = downloadUrl;
  a.download = `neurorep-${record.id}.json`;
  show('result', true);
  const rendered = charts.map((c) => {
    const target = document.getElementById(c.id);
    return target ? vegaEmbed(target, c.spec, { actions: false, renderer: 'svg' }).catch((err) => (target.textContent = `chart failed: ${String(err)}`)) : null;
  });
  void Promise.all(rendered).then(() => (document.body.dataset.charts = 'rendered'));
}

/** A run shard (from this app or --out-record) or a plain record (analyze --json), checked as `neurorep import` checks it. */
async function openRecord(file: File): Promise<void> {
  clearError();
  try {
    const text = await file.text();
    let record: RunRecord;
    let shard = text;
    if (text.includes(`"format":"${SHARD_FORMAT}"`)) {
      const json = parseShard(text, file.name);
      if (json.sha256 !== (await sha256Hex(checksummedText(json.record, json.representations)))) throw changedShard(file.name);
      record = shardContents(json, file.name).record;
    } else {
      let value: unknown;
      try {
        value = upgradeRecord(JSON.parse(text));
      } catch (err) {
        throw new Error(`${file.name}: not a neurorep run record (not JSON: ${(err as Error).message})`);
      }
      try {
        assertRecord(value);
      } catch (err) {
        throw new Error(`${file.name}: not a neurorep run record: ${(err as Error).message.slice(0, 300)}`);
      }
      record = value;
      shard = text;
    }
    show('inventory', false);
    show('options', false);
    showRecord(record, shard, `opened from ${file.name}`);
    document.body.dataset.state = 'done';
  } catch (err) {
    fail((err as Error).message);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $<HTMLFormElement>('open-url').addEventListener('submit', (e) => {
    e.preventDefault();
    const url = $<HTMLInputElement>('url').value.trim();
    if (!/^https?:\/\//i.test(url)) {
      fail(`'${url}': give an http(s) URL of an NWB file`);
      return;
    }
    void openRecording({ url });
  });
  $<HTMLInputElement>('file').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void openRecording({ file: f });
  });
  $<HTMLInputElement>('record').addEventListener('change', (e) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) void openRecord(f);
  });
  $<HTMLFormElement>('options').addEventListener('submit', (e) => {
    e.preventDefault();
    void analyze();
  });
  $('cancel').addEventListener('click', cancel);
  // A URL given in the address (#url=...) opens at once: a link to the app can name a recording.
  const hash = new URLSearchParams(location.hash.slice(1)).get('url');
  if (hash) {
    $<HTMLInputElement>('url').value = hash;
    void openRecording({ url: hash });
  }
  document.body.dataset.state = 'ready';
});
