/**
 * Class 3: bounded decompression. Only the member asked for is inflated, under a size ceiling
 * derived from free memory (overridable with --max-array-bytes); members that declare or turn out
 * larger are refused with exit 2; zip64 archives are read. Peak memory is measured.
 */

import test from 'ava';
import { once } from 'node:events';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import yazl from 'yazl';
import { encodeNpy, encodeNpyHeader } from '../../src/io/npy.js';
import { tempDir } from '../helpers.js';
import { neurorep, userMistake } from './helpers.js';

const GiB = 2 ** 30;

/** A deflated member of `zeroBytes` zero bytes after an .npy header, built from one flushed 64 MiB chunk repeated. */
function zeroMember(shape: number[], zeroBytes: number): { raw: Buffer; size: number; crc: number } {
  const header = Buffer.from(encodeNpyHeader(shape, 'f8'));
  const chunkBytes = 64 * 2 ** 20;
  if (zeroBytes % chunkBytes) throw new Error('zeroBytes must be a multiple of 64 MiB');
  const zeros = Buffer.alloc(chunkBytes);
  // Full flushes make each compressed piece byte-aligned and independent, so pieces concatenate.
  const head = deflateRawSync(header, { finishFlush: constants.Z_FULL_FLUSH });
  const piece = deflateRawSync(zeros, { finishFlush: constants.Z_FULL_FLUSH, level: 9 });
  const reps = zeroBytes / chunkBytes;
  let crc = crc32(header);
  for (let i = 0; i < reps; i++) crc = crc32(zeros, crc);
  const raw = Buffer.concat([head, ...Array.from({ length: reps }, () => piece), Buffer.from([0x03, 0x00])]);
  return { raw, size: header.length + zeroBytes, crc };
}

/** A zip (no zip64) of pre-compressed members: [name, deflated bytes, inflated size, crc]. */
function zipOf(members: { name: string; raw: Buffer; size: number; crc: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(m.crc >>> 0, 14);
    local.writeUInt32LE(m.raw.length, 18);
    local.writeUInt32LE(m.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(m.crc >>> 0, 16);
    central.writeUInt32LE(m.raw.length, 20);
    central.writeUInt32LE(m.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, m.raw);
    centrals.push(central, name);
    offset += 30 + name.length + m.raw.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

function small(): { name: string; raw: Buffer; size: number; crc: number; values: Float64Array } {
  const values = Float64Array.from({ length: 50 * 6 }, (_, k) => Math.sin(k * 1.7) + (k % 6));
  const bytes = Buffer.from(encodeNpy(values, [50, 6]));
  return { name: 'a.npy', raw: deflateRawSync(bytes), size: bytes.length, crc: crc32(bytes), values };
}

test('an npz bomb: the small member is read with bounded memory; the 1 GiB members are never inflated', (t) => {
  const dir = tempDir('neurorep-rel-');
  const bomb = zeroMember([1024, 131072], GiB);
  const path = join(dir, 'bomb.npz');
  writeFileSync(path, zipOf([small(), { name: 'b.npy', ...bomb }, { name: 'c.npy', ...bomb }]));
  t.true(readFileSync(path).length < 3 * 2 ** 20, `the archive is ${readFileSync(path).length} bytes`);
  const r = neurorep(['dimension', path, '--key', 'a', '--no-store', '--json']);
  t.is(r.code, 0, r.stderr);
  t.is(JSON.parse(r.stdout).n, 50);
  t.log(`peak RSS reading member a: ${r.peakMiB.toFixed(0)} MiB`);
  t.true(r.peakMiB < 400, `peak RSS ${r.peakMiB} MiB`);
  // info reads headers only.
  const info = neurorep(['info', path, '--json']);
  t.is(info.code, 0, info.stderr);
  t.deepEqual(
    JSON.parse(info.stdout).arrays.map((a: { shape: number[] }) => a.shape),
    [
      [50, 6],
      [1024, 131072],
      [1024, 131072],
    ],
  );
  t.true(info.peakMiB < 400, `info peak RSS ${info.peakMiB} MiB`);
  // Asking for a 1 GiB member under a 100 MB limit: refused before inflating.
  const big = neurorep(['dimension', path, '--key', 'b', '--no-store', '--max-array-bytes', '100000000']);
  userMistake(
    t,
    big,
    /bomb\.npz\[b\]: the array holds 1\.00 GiB inflated, more than the 95\.4 MiB neurorep reads on this machine \(raise it with --max-array-bytes/,
  );
  t.true(big.peakMiB < 400, `peak RSS ${big.peakMiB} MiB`);
  const env = neurorep(['dimension', path, '--key', 'c', '--no-store'], { env: { NEUROREP_MAX_ARRAY_BYTES: '100000000' } });
  userMistake(t, env, /more than the 95\.4 MiB/);
});

test('a member that inflates to more than it declares is refused without inflating the rest', (t) => {
  const dir = tempDir('neurorep-rel-');
  const bomb = zeroMember([1024, 131072], GiB);
  const path = join(dir, 'liar.npz');
  // The directory claims 1 MB; the data inflates to 1 GiB.
  writeFileSync(path, zipOf([{ name: 'x.npy', raw: bomb.raw, size: 2 ** 20, crc: 0 }]));
  const r = neurorep(['dimension', path, '--no-store']);
  userMistake(t, r, /liar\.npz\[x\]: inflates to more than the 1\.0 MiB its directory entry declares/);
  t.true(r.peakMiB < 400, `peak RSS ${r.peakMiB} MiB`);
});

async function yazlZip(path: string, members: [string, Buffer, boolean][], zip64: boolean): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, bytes, compress] of members) zip.addBuffer(bytes, name, { compress, forceZip64Format: zip64 });
  zip.end({ forceZip64Format: zip64, comment: '' });
  const out = createWriteStream(path);
  zip.outputStream.pipe(out);
  await once(out, 'close');
}

test('zip64 archives (written by yazl): stored and deflated members read exactly', async (t) => {
  const dir = tempDir('neurorep-rel-');
  const a = small();
  const b = Float64Array.from({ length: 30 * 4 }, (_, k) => Math.cos(k));
  const path = join(dir, 'z64.npz');
  await yazlZip(
    path,
    [
      ['a.npy', Buffer.from(encodeNpy(a.values, [50, 6])), true],
      ['b.npy', Buffer.from(encodeNpy(b, [30, 4])), false],
    ],
    true,
  );
  const bytes = readFileSync(path);
  t.true(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06])), 'a zip64 end record is present');
  const plain = join(dir, 'plain.npz');
  await yazlZip(
    plain,
    [
      ['a.npy', Buffer.from(encodeNpy(a.values, [50, 6])), true],
      ['b.npy', Buffer.from(encodeNpy(b, [30, 4])), false],
    ],
    false,
  );
  for (const key of ['a', 'b']) {
    const r64 = neurorep(['dimension', path, '--key', key, '--no-store', '--json']);
    const r32 = neurorep(['dimension', plain, '--key', key, '--no-store', '--json']);
    t.is(r64.code, 0, r64.stderr);
    t.is(JSON.parse(r64.stdout).effectiveDimension, JSON.parse(r32.stdout).effectiveDimension);
  }
  // A zip64 entry that declares 5 GiB: refused as too large (not "truncated").
  const patched = Buffer.from(bytes);
  const at = patched.indexOf(Buffer.concat([Buffer.from([0x50, 0x4b, 0x01, 0x02])]));
  const nameLen = patched.readUInt16LE(at + 28);
  let e = at + 46 + nameLen;
  while (patched.readUInt16LE(e) !== 1) e += 4 + patched.readUInt16LE(e + 2);
  patched.writeBigUInt64LE(5n * 2n ** 30n, e + 4); // uncompressed size comes first
  const huge = join(dir, 'huge.npz');
  writeFileSync(huge, patched);
  const r = neurorep(['dimension', huge, '--key', 'a', '--no-store', '--max-array-bytes', String(8 * GiB)]);
  userMistake(t, r, /huge\.npz\[a\]: the array holds 5\.00 GiB inflated; neurorep reads \.npz members up to 4\.00 GiB/);
  t.notRegex(r.stderr, /truncated/);
});
