/**
 * Reading zip archives (.npz) member by member, from the file, without inflating anything that is
 * not asked for. The central directory (zip64 included) lists the members; a member is read from
 * its local header and inflated by node:zlib with a hard ceiling on its output, so a small archive
 * whose members claim or inflate to gigabytes cannot take the machine's memory.
 *
 * The ceiling defaults to half the memory free when the process starts, and can be set with
 * --max-array-bytes or NEUROREP_MAX_ARRAY_BYTES.
 */

import { constants as bufferConstants } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { freemem } from 'node:os';
import { constants as zlibConstants, crc32, inflateRawSync } from 'node:zlib';
import { InputError } from '../core/matrix.js';

export interface ZipMember {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localHeaderOffset: number;
}

/** The largest single buffer Node.js allocates (4 GiB in Node 20). */
const BUFFER_LIMIT = Math.min(bufferConstants.MAX_LENGTH, 2 ** 32 - 1);

let maxArrayBytesOverride: number | null = null;

/** Set (or with null, clear) the limit for this process, from the global --max-array-bytes option. */
export function setMaxArrayBytes(bytes: number | null): void {
  maxArrayBytesOverride = bytes;
}

/** Largest member (bytes, inflated) neurorep reads: --max-array-bytes, NEUROREP_MAX_ARRAY_BYTES, else half the free memory. */
export function maxArrayBytes(): number {
  if (maxArrayBytesOverride !== null) return maxArrayBytesOverride;
  const env = process.env.NEUROREP_MAX_ARRAY_BYTES;
  if (env !== undefined && env !== '') {
    const v = Number(env);
    if (Number.isFinite(v) && v > 0) return v;
  }
  return Math.floor(freemem() / 2);
}

function gib(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export class ZipArchive {
  private constructor(
    readonly path: string,
    private readonly fd: number,
    readonly size: number,
    readonly members: ZipMember[],
  ) {}

  static open(path: string): ZipArchive {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError(
        `${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory, expected a file' : `cannot read: ${(err as Error).message}`}`,
      );
    }
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) throw new InputError(`${path}: is a directory, expected a file`);
      return new ZipArchive(path, fd, st.size, readCentralDirectory(path, fd, st.size));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  private bytes(offset: number, length: number): Buffer {
    if (offset < 0 || offset + length > this.size) throw new InputError(`${this.path}: truncated zip archive (a member points past the end of the file)`);
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buf, got, length - got, offset + got);
      if (n === 0) throw new InputError(`${this.path}: truncated zip archive`);
      got += n;
    }
    return buf;
  }

  /** Where a member's data starts (after its local header). */
  private dataOffset(m: ZipMember): number {
    const h = this.bytes(m.localHeaderOffset, 30);
    if (h.readUInt32LE(0) !== 0x04034b50) throw new InputError(`${this.path}: member '${m.name}': no local header where the directory says (damaged archive)`);
    return m.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  }

  /** A member's content, inflated, refused when it claims or turns out larger than the limit. */
  read(m: ZipMember, what: string): Uint8Array {
    if (m.size > BUFFER_LIMIT) {
      throw new InputError(
        `${what}: the array holds ${gib(m.size)} inflated; neurorep reads .npz members up to ${gib(BUFFER_LIMIT)} (a Node.js buffer limit): split it into smaller arrays`,
      );
    }
    const limit = Math.min(maxArrayBytes(), BUFFER_LIMIT);
    if (m.size > limit) {
      throw new InputError(
        `${what}: the array holds ${gib(m.size)} inflated, more than the ${gib(limit)} neurorep reads on this machine (raise it with \`maxArrayBytes BYTES\` if the memory is there)`,
      );
    }
    if (m.method !== 0 && m.method !== 8)
      throw new InputError(`${what}: zip compression method ${m.method} is not supported (only stored and deflated members)`);
    const raw = this.bytes(this.dataOffset(m), m.compressedSize);
    let out: Buffer;
    if (m.method === 0) out = raw;
    else {
      try {
        out = inflateRawSync(raw, { maxOutputLength: Math.max(1, Math.min(limit, m.size + 1)) });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'ERR_BUFFER_TOO_LARGE')
          throw new InputError(`${what}: inflates to more than the ${gib(m.size)} its directory entry declares; refused (a damaged or malicious archive)`);
        throw new InputError(`${what}: damaged compressed data (${e.message})`);
      }
    }
    if (out.length !== m.size) throw new InputError(`${what}: inflated to ${out.length} bytes, but the archive declares ${m.size} (truncated or damaged)`);
    if (crc32(out) >>> 0 !== m.crc) throw new InputError(`${what}: CRC mismatch (damaged archive)`);
    return out;
  }

  /** The first `want` bytes of a member (enough for an .npy header), without inflating the rest. */
  readPrefix(m: ZipMember, want: number, what: string): Uint8Array {
    const start = this.dataOffset(m);
    if (m.method === 0) return this.bytes(start, Math.min(want, m.compressedSize));
    const raw = this.bytes(start, Math.min(m.compressedSize, Math.max(4096, want)));
    try {
      return inflateRawSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: Math.max(want, 1) * 64 }).subarray(0, want);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ERR_BUFFER_TOO_LARGE') return inflateRawSync(raw.subarray(0, 1024), { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, want);
      throw new InputError(`${what}: damaged compressed data (${e.message})`);
    }
  }
}

function readCentralDirectory(path: string, fd: number, size: number): ZipMember[] {
  const tail = Math.min(size, 65557);
  const buf = Buffer.alloc(tail);
  readSync(fd, buf, 0, tail, size - tail);
  let eocd = -1;
  for (let i = tail - 22; i >= 0; i--)
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new InputError(`${path}: not a zip (.npz) archive, or truncated (no end of central directory)`);
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  // zip64: a locator just before the end record points at the zip64 end record.
  if (eocd >= 20 && buf.readUInt32LE(eocd - 20) === 0x07064b50) {
    const z64 = Number(buf.readBigUInt64LE(eocd - 20 + 8));
    const rec = Buffer.alloc(56);
    if (z64 + 56 > size || readSync(fd, rec, 0, 56, z64) < 56 || rec.readUInt32LE(0) !== 0x06064b50)
      throw new InputError(`${path}: damaged zip64 archive (no zip64 end record)`);
    count = Number(rec.readBigUInt64LE(32));
    cdSize = Number(rec.readBigUInt64LE(40));
    cdOffset = Number(rec.readBigUInt64LE(48));
  }
  if (cdOffset + cdSize > size) throw new InputError(`${path}: truncated zip archive (the central directory lies past the end of the file)`);
  const cd = Buffer.alloc(cdSize);
  readSync(fd, cd, 0, cdSize, cdOffset);
  const members: ZipMember[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw new InputError(`${path}: damaged zip central directory`);
    const method = cd.readUInt16LE(p + 10);
    const crc = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressed = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28),
      extraLen = cd.readUInt16LE(p + 30),
      commentLen = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
    // zip64 extra field (id 1): the 0xFFFFFFFF fields, in order.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = cd.readUInt16LE(e),
        len = cd.readUInt16LE(e + 2);
      if (id === 1) {
        let q = e + 4;
        if (uncompressed === 0xffffffff) ((uncompressed = Number(cd.readBigUInt64LE(q))), (q += 8));
        if (compressedSize === 0xffffffff) ((compressedSize = Number(cd.readBigUInt64LE(q))), (q += 8));
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(cd.readBigUInt64LE(q));
      }
      e += 4 + len;
    }
    members.push({ name, method, compressedSize, size: uncompressed, crc, localHeaderOffset });
    p = eEnd + commentLen;
  }
  return members;
}
