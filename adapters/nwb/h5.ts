/**
 * A thin, error-naming layer over h5wasm: read numeric and string datasets and attributes, follow
 * references. Every failure becomes an InputError that names the file and the HDF5 path. This
 * module runs in Node and in a browser's Web Worker alike: a file comes from a ByteSource (a
 * remote file read by ranges, a browser File) through h5wasm's browser build; local files in Node
 * are opened by h5Node.ts.
 */

import { InputError } from '../../src/core/matrix.js';

type H5Module = typeof import('h5wasm/node');
export type H5File = InstanceType<H5Module['File']>;
export type H5Group = InstanceType<H5Module['Group']>;
export type H5Dataset = InstanceType<H5Module['Dataset']>;
export type { H5Module };

/**
 * A file read by byte ranges (synchronously: HDF5 reads synchronously). The first failed read is
 * kept in `failure`: HDF5 may swallow the error a read callback raises, so the reader asks here
 * before trusting what it read.
 */
export interface ByteSource {
  /** 'url' for a file on an HTTP(S) server, 'file' for a local file read in place. */
  readonly kind: 'url' | 'file';
  readonly size: number;
  /** The server's ETag (null when none, or for a local file). */
  readonly etag: string | null;
  failure: InputError | null;
  /** Bytes read from the origin (not from a cache), and the reads that fetched them. */
  readonly fetchedBytes: number;
  readonly requests: number;
  read(out: Uint8Array, offset: number, length: number, position: number): number;
  close(): void;
}

/**
 * The HDF5 library prints its error stack ("HDF5-DIAG: ...", "#000: ...", "major: ...") as it
 * fails: those lines are kept out of the terminal and the console (failures reach the user as
 * messages naming the file and HDF5 path), and the last stack is kept here for them.
 */
let lastDiagnostic: string[] = [];
const DIAG_LINE = /^(HDF5-DIAG: |\s+#\d{3}: |\s+major: |\s+minor: )/;

export function keepLine(line: string): boolean {
  if (!DIAG_LINE.test(line)) return true;
  if (line.startsWith('HDF5-DIAG')) lastDiagnostic = [];
  lastDiagnostic.push(line.trim());
  return false;
}

/** The innermost message of the last HDF5 error stack ('' when none). */
export function lastHdf5Error(): string {
  const minor = [...lastDiagnostic].reverse().find((l) => l.startsWith('minor: '));
  const frame = [...lastDiagnostic].reverse().find((l) => /^#\d{3}: /.test(l));
  const where = frame ? /in ([A-Za-z0-9_]+)\(\): (.*)$/.exec(frame) : null;
  return [where ? where[2] : '', minor ? minor.slice(7).toLowerCase() : ''].filter(Boolean).join('; ');
}

interface EmscriptenFs {
  ErrnoError: new (errno: number) => Error;
  mkdir(path: string): void;
  createFile(parent: string, name: string, props: object, canRead: boolean, canWrite: boolean): { stream_ops: Record<string, unknown> };
}

let browserPromise: Promise<H5Module> | null = null;

/**
 * Both builds print HDF5's error stack and Emscripten's abort notice with console.error, bound when
 * the module loads: the same filter as for file descriptor 2 goes in front of console.error first.
 */
let consoleFilterInstalled = false;

export function installConsoleDiagnosticFilter(): void {
  if (consoleFilterInstalled) return;
  consoleFilterInstalled = true;
  const error = console.error.bind(console);
  // HDF5 prints one stack synchronously; a long line may arrive in pieces (a stdio buffer flushed
  // mid-line), so whatever comes in the same synchronous stretch as a diagnostic line belongs to it.
  let inStack = false;
  console.error = (...args: unknown[]) => {
    if (args.length === 1 && typeof args[0] === 'string') {
      const line = args[0];
      // Emscripten's abort() says "Aborted(...)" before it throws: the throw reaches the user as a message.
      if (line.startsWith('Aborted(')) return;
      if (DIAG_LINE.test(line)) {
        keepLine(line);
        if (!inStack) {
          inStack = true;
          queueMicrotask(() => (inStack = false));
        }
        return;
      }
      if (inStack) {
        if (lastDiagnostic.length > 0) lastDiagnostic[lastDiagnostic.length - 1] += line;
        return;
      }
    }
    error(...args);
  };
}

/** A WebAssembly trap or Emscripten's abort(): after it, the HDF5 module cannot be used any more. */
function isWasmTrap(err: unknown): boolean {
  return err instanceof Error && err.name === 'RuntimeError';
}

/** Emscripten's errno for an I/O error: what a failed remote read reports to HDF5. */
const EIO = 29;

/** h5wasm's browser build (loads in Node too), for files read by ranges: its file system is in memory. */
async function h5browser(): Promise<H5Module> {
  if (!browserPromise) {
    installConsoleDiagnosticFilter();
    browserPromise = (async () => {
      const mod = (await import('h5wasm')) as unknown as H5Module & { ready: Promise<{ FS: EmscriptenFs }> };
      const m = await mod.ready;
      // defineProperty: a bundled module's namespace has a getter-only FS that assignment cannot shadow.
      return Object.defineProperty(Object.create(mod), 'FS', { value: m.FS }) as H5Module;
    })();
  }
  return browserPromise;
}

/** The same check from the first (up to 64) bytes of the superblock and the file's size: local or remote. */
export function superblockTruncation(head: Uint8Array, size: number): { size: number; end: number | null } | null {
  const buf = head;
  // DataView rather than Buffer: this runs in a browser's worker too.
  const view = new DataView(head.buffer, head.byteOffset, head.length);
  const got = buf.length;
  // The file ends inside its superblock (e.g. only the 8-byte signature is there).
  if (got < 14) return { size, end: null };
  const version = buf[8];
  let offsetSize: number, eofAt: number, baseAt: number;
  if (version === 0 || version === 1) {
    offsetSize = buf[13];
    baseAt = version === 0 ? 24 : 28;
    eofAt = baseAt + 2 * offsetSize;
  } else if (version === 2 || version === 3) {
    offsetSize = buf[9];
    baseAt = 12;
    eofAt = 12 + 2 * offsetSize;
  } else return null;
  if (offsetSize !== 8 && offsetSize !== 4) return null;
  if (got < eofAt + offsetSize) return { size, end: null };
  const read = (at: number) => (offsetSize === 8 ? Number(view.getBigUint64(at, true)) : view.getUint32(at, true));
  const base = read(baseAt);
  const eof = read(eofAt);
  const end = base + eof;
  return Number.isFinite(end) && end > size ? { size, end } : null;
}

/** The message for a truncated file. */
export function truncatedMessage(path: string, cut: { size: number; end: number | null }): string {
  return cut.end === null
    ? `${path}: truncated: the file has ${cut.size} bytes and ends inside its HDF5 superblock (an interrupted download or copy?)`
    : `${path}: truncated: the file has ${cut.size} bytes, but its HDF5 superblock says it ends at byte ${cut.end} (an interrupted download or copy?)`;
}

export const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Where the HDF5 superblock is in a source: 0 or a power-of-two user-block size; null if none. Over
 * HTTP only 0 is tried: each further try would fetch a block of a file that is most likely not HDF5.
 */
function superblockIn(source: ByteSource): number | null {
  const buf = new Uint8Array(8);
  const last = source.kind === 'url' ? 0 : 1 << 30;
  for (let off = 0; off + 8 <= source.size && off <= last; off = off === 0 ? 512 : off * 2) {
    source.read(buf, 0, 8, off);
    if (HDF5_SIGNATURE.every((b, i) => buf[i] === b)) return off;
  }
  return null;
}

let sourceCount = 0;

/** An open HDF5 file with path-naming readers. Close it when done. */
export class Hdf5Reader {
  constructor(
    readonly path: string,
    readonly mod: H5Module,
    readonly file: H5File,
    /** The file's size in bytes. */
    readonly size: number,
    /** Set when the file is read by ranges (a URL, a browser File). */
    readonly source: ByteSource | null = null,
  ) {}

  /** The source when the file is read over HTTP(S). */
  get remote(): ByteSource | null {
    return this.source?.kind === 'url' ? this.source : null;
  }

  /**
   * Open an NWB/HDF5 file read by byte ranges (a file on a server, a browser File): h5wasm's browser
   * build (its Emscripten file system has no Node back end) reads a file node whose reads go to the
   * source, which fetches only the byte ranges HDF5 asks for. `path` names the file in messages.
   */
  static async openSource(path: string, source: ByteSource): Promise<Hdf5Reader> {
    try {
      const at = superblockIn(source);
      if (source.failure) throw source.failure;
      if (at === null) throw new InputError(`${path}: not an HDF5 file (no HDF5 signature); NWB 2.x files are HDF5`);
      const head = new Uint8Array(Math.min(64, source.size - at));
      source.read(head, 0, head.length, at);
      const cut = superblockTruncation(head, source.size);
      if (cut) throw new InputError(truncatedMessage(path, cut));
      const mod = await h5browser();
      const FS = (mod as unknown as { FS: EmscriptenFs }).FS;
      const name = `r${++sourceCount}.h5`;
      try {
        FS.mkdir('/remote');
      } catch {
        /* exists */
      }
      const node = FS.createFile('/remote', name, {}, true, false);
      Object.defineProperty(node, 'usedBytes', { get: () => source.size });
      node.stream_ops = {
        ...node.stream_ops,
        // A failed read is an I/O error for HDF5 (which unwinds cleanly); the failure itself stays in `source.failure`.
        read: (_stream: unknown, buffer: Uint8Array, offset: number, length: number, position: number) => {
          try {
            return source.read(buffer, offset, length, position);
          } catch (err) {
            if (!source.failure) source.failure = err instanceof InputError ? err : new InputError(`${path}: ${(err as Error).message}`);
            throw new FS.ErrnoError(EIO);
          }
        },
        llseek: (stream: { position: number }, offset: number, whence: number) => offset + (whence === 1 ? stream.position : whence === 2 ? source.size : 0),
      };
      let file: H5File;
      try {
        file = new mod.File(`/remote/${name}`, 'r');
      } catch (err) {
        if (source.failure) throw source.failure;
        const detail = lastHdf5Error();
        throw new InputError(`${path}: HDF5 could not open the file${detail ? `: ${detail}` : `: ${(err as Error).message}`}`);
      }
      if (source.failure) throw source.failure;
      return new Hdf5Reader(path, mod, file, source.size, source);
    } catch (err) {
      source.close();
      throw err;
    }
  }

  close(): void {
    try {
      this.file.close();
    } catch {
      /* already closed */
    }
    this.source?.close();
  }

  /**
   * Throws the failure of a remote read, if one happened: HDF5 turns a failed read into an error
   * of its own or an absent object, so nothing read after it is trusted.
   */
  intact(): void {
    if (this.source?.failure) throw this.source.failure;
  }

  /**
   * An error raised while reading the file as the user should see it: a failed remote read as
   * itself; an error of h5wasm or of HDF5 stopping (abort) as damage to the file, named; anything
   * else unchanged.
   */
  explain(err: unknown): unknown {
    if (this.source?.failure) return this.source.failure;
    if (err instanceof InputError) return err;
    const e = err as Error;
    const fromHdf5 = isWasmTrap(e) || /h5wasm|hdf5_util|hdf5_hl/.test(e?.stack ?? '');
    if (!fromHdf5) return err;
    const detail = lastHdf5Error() || e.message.replace(/^Aborted\((.*)\)$/, '$1');
    return new InputError(`${this.path}: HDF5 could not read the file (${detail}): it looks damaged or truncated (an interrupted or corrupted download?)`);
  }

  /** Rethrows (explained) an error after which HDF5 cannot go on: an abort, or a failed remote read. */
  private fatal(err: unknown): void {
    if (isWasmTrap(err) || this.source?.failure) throw this.explain(err);
  }

  /** A message prefix naming the file and HDF5 path. */
  where(h5path: string): string {
    return `${this.path}: ${h5path}`;
  }

  fail(h5path: string, problem: string): never {
    this.intact();
    throw new InputError(`${this.where(h5path)}: ${problem}`);
  }

  /** The object at a path, or null if absent (broken links count as absent). */
  get(h5path: string): H5Group | H5Dataset | null {
    let o: unknown;
    try {
      o = this.file.get(h5path);
    } catch (err) {
      this.fatal(err);
      o = null;
    }
    this.intact();
    if (o instanceof this.mod.Group || o instanceof this.mod.Dataset) return o;
    return null;
  }

  has(h5path: string): boolean {
    return this.get(h5path) !== null;
  }

  group(h5path: string): H5Group | null {
    const o = this.get(h5path);
    return o instanceof this.mod.Group ? o : null;
  }

  dataset(h5path: string): H5Dataset | null {
    const o = this.get(h5path);
    return o instanceof this.mod.Dataset ? o : null;
  }

  requireGroup(h5path: string, what: string): H5Group {
    const g = this.group(h5path);
    if (!g) this.fail(h5path, `missing: expected ${what}`);
    return g;
  }

  requireDataset(h5path: string, what: string): H5Dataset {
    const d = this.dataset(h5path);
    if (!d) this.fail(h5path, `missing: expected ${what}`);
    return d;
  }

  /** Child names of a group, sorted as HDF5 lists them. */
  keys(h5path: string): string[] {
    const g = this.group(h5path);
    return g ? g.keys() : [];
  }

  shape(h5path: string): number[] {
    const d = this.requireDataset(h5path, 'a dataset');
    return d.shape ?? [];
  }

  /** A numeric dataset (or a slice of its first axis) as numbers. */
  numbers(h5path: string, range?: [number, number]): Float64Array {
    const d = this.requireDataset(h5path, 'a numeric dataset');
    const meta = d.metadata as { type: number };
    // HDF5 classes: 0 integer, 1 float. Anything else is not numeric.
    if (meta.type !== 0 && meta.type !== 1) this.fail(h5path, `expected numbers, found ${JSON.stringify(d.dtype)}`);
    let v: unknown;
    try {
      v = range ? d.slice([[range[0], range[1]]]) : d.value;
    } catch (err) {
      this.fail(h5path, `could not read: ${(err as Error).message}`);
    }
    this.intact();
    return toFloat64(v, () => this.fail(h5path, 'could not read as numbers'));
  }

  /** A string (or string array) dataset; byte strings are decoded as UTF-8. */
  strings(h5path: string): string[] {
    const d = this.requireDataset(h5path, 'a string dataset');
    const v = d.value as unknown;
    this.intact();
    if (typeof v === 'string') return [v];
    if (Array.isArray(v)) return v.map((s) => (typeof s === 'string' ? s : String(s)));
    this.fail(h5path, `expected strings, found ${JSON.stringify(d.dtype)}`);
  }

  /** True if the dataset holds strings. */
  isStringDataset(h5path: string): boolean {
    const d = this.dataset(h5path);
    return !!d && (d.metadata as { type: number }).type === 3;
  }

  /** True if the dataset holds object references. */
  isReferenceDataset(h5path: string): boolean {
    const d = this.dataset(h5path);
    return !!d && (d.metadata as { type: number }).type === 7;
  }

  /** An attribute's value as JSON-compatible data, or undefined. */
  attr(h5path: string, name: string): unknown {
    const o = this.get(h5path);
    if (!o) return undefined;
    let a;
    try {
      a = o.attrs[name];
    } catch (err) {
      throw this.explain(err);
    }
    if (!a) return undefined;
    let v: unknown;
    try {
      v = a.json_value;
    } catch (err) {
      this.fatal(err);
      v = undefined;
    }
    this.intact();
    return v;
  }

  /** A string attribute (first element of an array), or undefined. */
  attrString(h5path: string, name: string): string | undefined {
    const v = this.attr(h5path, name);
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && typeof v[0] === 'string') return v.join(' ');
    return undefined;
  }

  /** A numeric attribute, or undefined. */
  attrNumber(h5path: string, name: string): number | undefined {
    const v = this.attr(h5path, name);
    const x = Array.isArray(v) ? v[0] : v;
    return typeof x === 'number' ? x : undefined;
  }

  /** The path an object-reference attribute points to, or undefined. */
  attrReferencePath(h5path: string, name: string): string | undefined {
    const o = this.get(h5path);
    const a = o?.attrs[name];
    if (!o || !a) return undefined;
    try {
      const v = a.value as unknown;
      const ref = Array.isArray(v) ? v[0] : v;
      if (!(ref instanceof this.mod.Reference)) return undefined;
      const target = o.dereference(ref) as { path?: string } | null;
      return target?.path;
    } catch (err) {
      this.fatal(err);
      return undefined;
    }
  }

  /** Paths that a dataset of object references points to. */
  referencePaths(h5path: string): (string | null)[] {
    const d = this.requireDataset(h5path, 'a dataset of references');
    const v = d.value as unknown;
    this.intact();
    if (!Array.isArray(v)) this.fail(h5path, 'expected object references');
    return v.map((ref) => {
      try {
        return (d.dereference(ref) as { path?: string } | null)?.path ?? null;
      } catch (err) {
        this.fatal(err);
        return null;
      }
    });
  }

  /** neurodata_type of a group or dataset, if any. */
  neurodataType(h5path: string): string | undefined {
    return this.attrString(h5path, 'neurodata_type');
  }
}

/** Typed arrays (including BigInt ones) and number arrays to Float64Array. */
export function toFloat64(v: unknown, onFail: () => never): Float64Array {
  if (v instanceof Float64Array) return v;
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Float64Array.from(v, (x) => Number(x));
  if (ArrayBuffer.isView(v)) return Float64Array.from(v as unknown as ArrayLike<number>);
  if (typeof v === 'number') return Float64Array.of(v);
  if (typeof v === 'bigint') return Float64Array.of(Number(v));
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return Float64Array.from(v as number[]);
  return onFail();
}
