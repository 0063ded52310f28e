/**
 * NumPy .npy files (format versions 1.0, 2.0, 3.0) in and out.
 *
 * Reads f2/f4/f8, i1/i2/i4/i8, u1/u2/u4/u8 and b1 in either byte order, C or Fortran order, into
 * a C-order Float64Array. Writes f4/f8 (and the other numeric dtypes, for round trips).
 */

import { InputError } from '../core/matrix.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export type NpyDtype = 'f2' | 'f4' | 'f8' | 'i1' | 'i2' | 'i4' | 'i8' | 'u1' | 'u2' | 'u4' | 'u8' | 'b1';

export interface NpyArray {
  /** Shape as stored in the file. */
  shape: number[];
  /** Kind and size, e.g. 'f4', 'u1'. */
  dtype: NpyDtype;
  /** True if the file was big-endian. */
  bigEndian: boolean;
  /** True if the file stored the array in Fortran (column-major) order. */
  fortranOrder: boolean;
  /** Values in C (row-major) order. */
  data: Float64Array;
}

const ITEM_SIZE: Record<NpyDtype, number> = { f2: 2, f4: 4, f8: 8, i1: 1, i2: 2, i4: 4, i8: 8, u1: 1, u2: 2, u4: 4, u8: 8, b1: 1 };

/** What an .npy header says, and where the data start. */
export interface NpyHeader {
  shape: number[];
  dtype: NpyDtype;
  bigEndian: boolean;
  fortranOrder: boolean;
  dataStart: number;
  /** Bytes the data need. */
  dataBytes: number;
}

/** The raw fields of an .npy header: dtype descriptor, order, shape and where the data start. */
function headerFields(bytes: Uint8Array, name: string): { descr: string; fortranOrder: boolean; shape: number[]; dataStart: number } {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new InputError(`${name}: not a .npy file (the magic string \\x93NUMPY is missing)`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new InputError(`${name}: truncated .npy header`);
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new InputError(`${name}: unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (headerStart + headerLen > bytes.length) throw new InputError(`${name}: truncated .npy header`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new InputError(`${name}: malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((s) => !Number.isInteger(s) || s < 0)) throw new InputError(`${name}: malformed shape (${shapeText})`);
  return { descr, fortranOrder: fortran === 'True', shape, dataStart: headerStart + headerLen };
}

/** Parse an .npy header (the first bytes of the file are enough). */
export function parseNpyHeader(bytes: Uint8Array, name: string): NpyHeader {
  const { descr, fortranOrder, shape, dataStart } = headerFields(bytes, name);
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) throw new InputError(`${name}: unsupported dtype '${descr}' (numbers and booleans only)`);
  const dtype = `${m[2]}${m[3]}` as NpyDtype;
  if (!(dtype in ITEM_SIZE)) throw new InputError(`${name}: unsupported dtype '${descr}'`);
  const count = shape.reduce((a, b) => a * b, 1);
  return { shape, dtype, bigEndian: m[1] === '>', fortranOrder, dataStart, dataBytes: count * ITEM_SIZE[dtype] };
}

/**
 * A 1-D array of labels (stimulus ids): numbers, or strings stored as numpy's fixed-width unicode
 * ('<U9', UTF-32) or bytes ('|S9') dtypes, trailing NULs removed. Object arrays hold pickles,
 * which are not read: the message says how to save them instead.
 */
export function parseNpyLabels(bytes: Uint8Array, name: string): (string | number)[] {
  const { descr, shape, dataStart } = headerFields(bytes, name);
  if (shape.length !== 1) throw new InputError(`${name}: labels must be 1-D, got shape (${shape.join(', ')})`);
  const count = shape[0];
  const text = /^([<>|=])([US])(\d+)$/.exec(descr);
  if (!text) {
    if (descr.endsWith('O'))
      throw new InputError(`${name}: an object array (pickled Python objects) is not read; save the ids as strings, e.g. np.asarray(ids, dtype=str)`);
    return Array.from(parseNpy(bytes, name).data);
  }
  const width = Number(text[3]);
  const size = text[2] === 'U' ? 4 * width : width;
  if (bytes.length - dataStart < count * size) throw new InputError(`${name}: truncated: ${count} labels of ${descr} need ${count * size} data bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  const utf8 = new TextDecoder('utf-8');
  for (let i = 0; i < count; i++) {
    const start = dataStart + i * size;
    if (text[2] === 'U') {
      let s = '';
      for (let k = 0; k < width; k++) {
        const cp = view.getUint32(start + 4 * k, text[1] !== '>');
        if (cp === 0) break;
        s += String.fromCodePoint(cp);
      }
      out.push(s);
    } else {
      let end = start + width;
      while (end > start && bytes[end - 1] === 0) end--;
      out.push(utf8.decode(bytes.subarray(start, end)));
    }
  }
  return out;
}

/** Parse .npy bytes. `name` appears in every error message (the file, and the array in an npz). */
export function parseNpy(bytes: Uint8Array, name: string): NpyArray {
  const h = parseNpyHeader(bytes, name);
  const { shape, dtype, bigEndian, fortranOrder, dataStart } = h;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length - dataStart < h.dataBytes) {
    throw new InputError(
      `${name}: truncated: shape (${shape.join(', ')}) of ${dtype} needs ${h.dataBytes} data bytes, the file has ${bytes.length - dataStart}`,
    );
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const raw = decode(view, dataStart, count, dtype, !bigEndian);
  const data = fortranOrder && shape.length > 1 ? fortranToC(raw, shape) : raw;
  return { shape, dtype, bigEndian, fortranOrder, data };
}

function decode(view: DataView, start: number, count: number, dtype: NpyDtype, little: boolean): Float64Array {
  const out = new Float64Array(count);
  const size = ITEM_SIZE[dtype];
  // Fast path: aligned little-endian f8/f4 views.
  const abs = view.byteOffset + start;
  if (little && dtype === 'f8' && abs % 8 === 0) {
    out.set(new Float64Array(view.buffer, abs, count));
    return out;
  }
  if (little && dtype === 'f4' && abs % 4 === 0) {
    out.set(new Float32Array(view.buffer, abs, count));
    return out;
  }
  if (dtype === 'u1' || dtype === 'b1') {
    const u = new Uint8Array(view.buffer, abs, count);
    if (dtype === 'b1') for (let i = 0; i < count; i++) out[i] = u[i] !== 0 ? 1 : 0;
    else out.set(u);
    return out;
  }
  for (let i = 0, o = start; i < count; i++, o += size) {
    switch (dtype) {
      case 'f2':
        out[i] = halfToFloat(view.getUint16(o, little));
        break;
      case 'f4':
        out[i] = view.getFloat32(o, little);
        break;
      case 'f8':
        out[i] = view.getFloat64(o, little);
        break;
      case 'i1':
        out[i] = view.getInt8(o);
        break;
      case 'i2':
        out[i] = view.getInt16(o, little);
        break;
      case 'i4':
        out[i] = view.getInt32(o, little);
        break;
      case 'i8':
        out[i] = Number(view.getBigInt64(o, little));
        break;
      case 'u2':
        out[i] = view.getUint16(o, little);
        break;
      case 'u4':
        out[i] = view.getUint32(o, little);
        break;
      case 'u8':
        out[i] = Number(view.getBigUint64(o, little));
        break;
      default:
        throw new Error(`unreachable dtype ${dtype}`);
    }
  }
  return out;
}

/** IEEE 754 binary16 to a double. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** A double to the nearest IEEE 754 binary16 (round half to even). */
export function floatToHalf(x: number): number {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** Reorder Fortran-order (column-major) values of the given shape into C order. */
function fortranToC(src: Float64Array, shape: number[]): Float64Array {
  const rank = shape.length;
  const out = new Float64Array(src.length);
  // Fortran strides: axis 0 varies fastest.
  const fStride = new Array<number>(rank);
  let s = 1;
  for (let a = 0; a < rank; a++) {
    fStride[a] = s;
    s *= shape[a];
  }
  const idx = new Array<number>(rank).fill(0);
  let fOff = 0;
  for (let c = 0; c < out.length; c++) {
    out[c] = src[fOff];
    // Increment the C-order multi-index (last axis fastest), tracking the Fortran offset.
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]++;
      fOff += fStride[a];
      if (idx[a] < shape[a]) break;
      fOff -= fStride[a] * shape[a];
      idx[a] = 0;
    }
  }
  return out;
}

/** The .npy (version 1.0, little-endian, C order) header for an array; data follows it directly. */
export function encodeNpyHeader(shape: readonly number[], dtype: NpyDtype): Uint8Array {
  const order = dtype.endsWith('1') ? '|' : '<';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${order}${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so that the data starts on a 64-byte boundary; the header ends with a newline.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  return out;
}

/** Serialise values (C order) of the given shape as .npy (version 1.0, little-endian). */
export function encodeNpy(data: ArrayLike<number>, shape: readonly number[], dtype: NpyDtype = 'f8'): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`encodeNpy: shape (${shape.join(', ')}) needs ${count} values, got ${data.length}`);
  const head = encodeNpyHeader(shape, dtype);
  const size = ITEM_SIZE[dtype];
  const out = new Uint8Array(head.length + count * size);
  out.set(head, 0);
  const view = new DataView(out.buffer);
  let o = head.length;
  for (let i = 0; i < count; i++, o += size) {
    const v = data[i];
    switch (dtype) {
      case 'f2':
        view.setUint16(o, floatToHalf(v), true);
        break;
      case 'f4':
        view.setFloat32(o, v, true);
        break;
      case 'f8':
        view.setFloat64(o, v, true);
        break;
      case 'i1':
        view.setInt8(o, v);
        break;
      case 'i2':
        view.setInt16(o, v, true);
        break;
      case 'i4':
        view.setInt32(o, v, true);
        break;
      case 'i8':
        view.setBigInt64(o, BigInt(Math.trunc(v)), true);
        break;
      case 'u1':
        view.setUint8(o, v);
        break;
      case 'u2':
        view.setUint16(o, v, true);
        break;
      case 'u4':
        view.setUint32(o, v, true);
        break;
      case 'u8':
        view.setBigUint64(o, BigInt(Math.trunc(v)), true);
        break;
      case 'b1':
        view.setUint8(o, v ? 1 : 0);
        break;
    }
  }
  return out;
}
