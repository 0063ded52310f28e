/**
 * Child process for remote.test.ts: reads byte spans of a URL through RemoteFile with a tiny
 * block cache and prints them as hex (the test process serves the file meanwhile).
 * Usage: node --import tsx readRanges.ts URL blockSize cacheBlocks start:length...
 */

import { RemoteFile } from '../../adapters/remote/remoteFile.js';

const [url, blockSize, cacheBlocks, ...spans] = process.argv.slice(2);
const f = RemoteFile.open(url, { blockSize: Number(blockSize), cacheBlocks: Number(cacheBlocks), readAhead: 1 });
const out: string[] = [];
for (const span of spans) {
  const [start, length] = span.split(':').map(Number);
  const buf = new Uint8Array(length);
  const n = f.read(buf, 0, length, start);
  out.push(Buffer.from(buf.subarray(0, n)).toString('hex'));
}
f.close();
process.stdout.write(JSON.stringify({ size: f.size, spans: out, requests: f.requests }));
