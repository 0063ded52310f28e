/**
 * The checks a ranged answer must pass before a byte of it is used, shared by the Node reader's
 * HTTP thread (fetch) and the browser app's reader (XMLHttpRequest): status 206, no content
 * encoding, a Content-Range whose start, end and total are the ones asked for, the validators seen
 * when the file was opened unchanged, and no more bytes declared than asked for. No I/O: it reads
 * the status and headers it is given.
 */

export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

/** What a check reads of an answer. */
export interface RangeAnswer {
  status: number;
  statusText: string;
  header(name: string): string | null;
}

/** What was asked. */
export interface RangeAsk {
  start: number;
  /** Inclusive. */
  end: number;
  /** The file's size seen when it was opened; null for the probe that opens it. */
  total: number | null;
  validators: Validators;
  probe: boolean;
}

/** Longest ETag or Last-Modified accepted: a validator is a short token, never a payload. */
const MAX_VALIDATOR = 512;

/** A failure that trying again cannot change: reported at once, never retried. */
export class PermanentFailure extends Error {}

/** A header from the server, shortened for a message (a reason phrase or header may be anything). */
export function shown(value: string, max = 120): string {
  return value.length > max ? `${value.slice(0, max)}... (${value.length} characters)` : value;
}

/** A validator header, or null; refused when it is too long to be one. */
export function validator(res: RangeAnswer, name: string): string | null {
  const v = res.header(name);
  if (v === null) return null;
  if (v.length > MAX_VALIDATOR) throw new PermanentFailure(`the server's ${name} header is ${v.length} characters long (at most ${MAX_VALIDATOR} accepted)`);
  return v;
}

/** The validators of an answer differ from those seen when the file was opened. */
function changed(res: RangeAnswer, seen: Validators): string | null {
  const etag = validator(res, 'etag');
  const lastModified = validator(res, 'last-modified');
  if (seen.etag !== null && etag !== seen.etag) return `its ETag is no longer ${shown(seen.etag, 60)}`;
  if (seen.lastModified !== null && lastModified !== seen.lastModified) return `its Last-Modified is no longer ${seen.lastModified}`;
  return null;
}

const CHANGED = (why: string) => `the file changed on the server while it was being read (${why}); run the command again`;

/**
 * The If-Range value for a request: a strong ETag or a date (a weak ETag would make every answer a
 * whole file); null when the file gave neither.
 */
export function ifRangeOf(v: Validators): string | null {
  return v.etag && !v.etag.startsWith('W/') ? v.etag : v.lastModified;
}

/**
 * Checks an answer: 'retry' for a 5xx (it may succeed later), else the bytes the body must hold
 * and the file's total size; throws a PermanentFailure naming what is wrong.
 */
export function checkRangeAnswer(res: RangeAnswer, req: RangeAsk): 'retry' | { expected: number; total: number } {
  const status = `HTTP ${res.status}${res.statusText ? ` ${shown(res.statusText, 60)}` : ''}`;
  if (res.status >= 500) return 'retry';
  if (res.status !== 206) {
    if (res.status === 200 && !req.probe) {
      const why = changed(res, req.validators);
      if (why) throw new PermanentFailure(CHANGED(why));
    }
    throw new PermanentFailure(res.status === 200 ? 'the server ignores Range requests (it sent the whole file)' : status);
  }
  const encoding = res.header('content-encoding');
  if (encoding !== null && encoding.trim().toLowerCase() !== 'identity')
    throw new PermanentFailure(
      `the server compressed the range (Content-Encoding ${shown(encoding, 40)}) although it was asked not to; its bytes are not the file's`,
    );
  const range = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec((res.header('content-range') ?? '').trim());
  const total = range && range[3] !== '*' ? Number(range[3]) : null;
  if (!range || total === null)
    throw new PermanentFailure(`the server's answer has no usable Content-Range (got '${shown(res.header('content-range') ?? '', 60)}')`);
  const expectedEnd = Math.min(req.end, (req.total ?? total) - 1);
  if (Number(range[1]) !== req.start || Number(range[2]) !== expectedEnd || (req.total !== null && total !== req.total)) {
    const why = req.total !== null && total !== req.total ? `the file is now ${total} bytes, not ${req.total}` : null;
    throw new PermanentFailure(
      why
        ? CHANGED(why)
        : `the server answered bytes ${range[1]}-${range[2]} for a request of bytes ${req.start}-${req.end} (it does not answer Range requests correctly)`,
    );
  }
  if (!req.probe) {
    const why = changed(res, req.validators);
    if (why) throw new PermanentFailure(CHANGED(why));
  }
  const expected = expectedEnd - req.start + 1;
  const declared = Number(res.header('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > expected)
    throw new PermanentFailure(`the server sent ${declared} bytes for a range of ${expected} (it does not answer Range requests correctly)`);
  return { expected, total };
}
