/**
 * The app's analysis worker: opens the recording (by URL or a local File, read by ranges), gives
 * the page its inventory, and runs `analyze` exactly as the CLI does (analyzeOpenNwb), on every
 * core through helper workers. The record it returns is the CLI's, with a source that names the
 * URL (and ETag, size, bytes fetched) or the local file's name and size. Cancelling is the page
 * terminating this worker: nothing here is left half-written.
 */

import { Hdf5Reader, type ByteSource } from '../../adapters/nwb/h5.js';
import { nwbInventory } from '../../adapters/nwb/inventory.js';
import { NwbFile } from '../../adapters/nwb/reader.js';
import { analyzeOpenNwb } from '../analysis/analyzeNwb.js';
import { InputError } from '../core/matrix.js';
import '../core/tasks.js';
import { preloadWasmKernels } from '../core/wasm/kernels.js';
import { assembleRecord } from '../store/recordShape.js';
import { shardParts, shardText } from '../store/shardFormat.js';
import { installWebWorkers } from './pool.js';
import { sha256Hex } from './digest.js';
import type { FromWorker, ToWorker, AppAnalyzeOptions } from './protocol.js';
import { HttpRangeSource, LocalFileSource } from './sources.js';

declare const NEUROREP_VERSION: string;

const post = (m: FromWorker) => self.postMessage(m);

let nwb: NwbFile | null = null;
let source: ByteSource | null = null;
let name = '';
let lastFetchPost = 0;
const threadsReady = preloadWasmKernels().then(() => installWebWorkers(new URL('./pieces.js', self.location.href)));

const onFetch = (fetchedBytes: number, size: number) => {
  const now = performance.now();
  if (now - lastFetchPost > 200) {
    lastFetchPost = now;
    post({ type: 'fetched', fetchedBytes, size });
  }
};

async function open(m: Extract<ToWorker, { type: 'open' }>): Promise<void> {
  source = 'url' in m ? await HttpRangeSource.open(m.url.trim(), { onFetch }) : new LocalFileSource(m.file, { onFetch });
  name = 'url' in m ? m.url.trim() : m.file.name;
  const h = await Hdf5Reader.openSource(name, source);
  nwb = NwbFile.fromReader(h);
  const inventory = nwb.reading(() => nwbInventory(nwb!));
  const threads = await threadsReady;
  post({ type: 'opened', inventory, threads, fetchedBytes: source.fetchedBytes, size: source.size });
}

async function analyze(options: AppAnalyzeOptions): Promise<void> {
  if (!nwb || !source) throw new InputError('open a recording first');
  await threadsReady;
  const started = performance.now();
  const result = analyzeOpenNwb(nwb, {
    ...options,
    onProgress: (label, done, total) => post({ type: 'progress', label, done, total }),
  });
  const { locked: _locked, representations, params, remote: _remote, ...body } = result;
  const src = source;
  const described =
    src.kind === 'url'
      ? { path: name, sha256: '', kind: 'nwb', url: name, etag: src.etag, size: src.size, bytesFetched: src.fetchedBytes, requests: src.requests }
      : { path: name, sha256: '', kind: 'nwb', size: src.size, bytesRead: src.fetchedBytes, openedIn: 'browser' };
  const record = assembleRecord(
    { id: crypto.randomUUID(), kind: 'analyze', createdAt: new Date().toISOString(), toolkitVersion: NEUROREP_VERSION, source: described, params },
    body,
  );
  const { body: parts, checksummed } = shardParts(record, representations());
  const shard = shardText(parts, await sha256Hex(checksummed));
  post({
    type: 'result',
    record: parts.record,
    shard,
    fetchedBytes: src.fetchedBytes,
    requests: src.requests,
    size: src.size,
    seconds: (performance.now() - started) / 1000,
  });
}

self.onmessage = (e: MessageEvent) => {
  const m = e.data as ToWorker;
  const job = m.type === 'open' ? open(m) : analyze(m.options);
  job.catch((err: unknown) => {
    // A user's mistake (a bad URL, not NWB, a missing column) is its message; anything else says what broke.
    const message = err instanceof InputError ? err.message : `internal error: ${(err as Error)?.message ?? String(err)}`;
    if (!(err instanceof InputError)) console.error(err);
    post({ type: 'error', message });
  });
};
