import { Buffer } from 'node:buffer';
import { GpuMetricsWire, MAX_BATCH_SAMPLES } from './agent.js';
import { isInstant } from './messages.js';
import { CELLS_PER_ROW, GPU_READINGS, type SampleColumns } from './sample-columns.js';

/**
 * A fast path for agents' batches: their text read byte by byte straight into sample columns,
 * without JSON.parse building an object for every reading (which was most of the time and all
 * of the garbage of taking a batch in). It reads only the layout agents write (wireText:
 * canonical JSON, keys sorted, no whitespace, ASCII strings without escapes) and answers
 * undefined for anything else, valid or not; the caller then parses the text with JSON.parse
 * and checks it with samplesValid as before. Where it answers, the answer is the one that path
 * gives: JSON.parse accepts the whole text, samplesValid accepts its samples, the envelope has
 * the same members as the parsed body less "samples", and the columns are sampleColumns' of the
 * samples (batch-scan.test.ts compares the two on valid, damaged and hostile texts).
 */
export interface ScannedBatch {
  /** The batch's members but `samples`, parsed with JSON.parse and not yet checked. */
  readonly envelope: Record<string, unknown>;
  /** Samples (instants) in the batch. */
  readonly instants: number;
  readonly columns: SampleColumns;
}

const enum Byte {
  Quote = 0x22,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Zero = 0x30,
  Nine = 0x39,
  Colon = 0x3a,
  OpenBracket = 0x5b,
  Backslash = 0x5c,
  CloseBracket = 0x5d,
  LowerE = 0x65,
  UpperE = 0x45,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
}

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const NULL = ascii('null');
const TRUE = ascii('true');
const FALSE = ascii('false');
const SAMPLES_KEY = ascii('samples');
const SAMPLE_AT = ascii('{"at":');
const SAMPLE_GPUS = ascii(',"gpus":[');

/** How a GPU's member is read: a number or null, a boolean or null, a list of texts or null, a text. */
const READING = 0;
const FLAG = 1;
const REASONS = 2;
const UUID = 3;

/** GpuMetricsWire's member keys sorted as canonical JSON sorts them. */
const GPU_KEYS = Object.keys(GpuMetricsWire.shape).sort();
/** Per member, in that order: how its value is read, and the cell of the row it goes to (readings and the flag). */
const MEMBER_KINDS = Uint8Array.from(GPU_KEYS, (key) => (key === 'uuid' ? UUID : key === 'clockEventReasons' ? REASONS : key === 'remappedRowsPending' ? FLAG : READING));
const MEMBER_CELLS = Uint8Array.from(GPU_KEYS, (key, m) => {
  const reading = GPU_READINGS.indexOf(key as (typeof GPU_READINGS)[number]);
  if (reading < 0 && (MEMBER_KINDS[m] === READING || MEMBER_KINDS[m] === FLAG)) throw new Error(`batch-scan: GpuMetricsWire.${key} is not a reading`);
  return 2 + reading;
});
/** The bytes before each member's value ('{"key":' for the first, ',"key":' after), one after another; member m's from KEY_STARTS[m] to KEY_STARTS[m + 1]. */
const KEY_TEXTS = GPU_KEYS.map((key, m) => `${m === 0 ? '{' : ','}${JSON.stringify(key)}:`);
const KEY_BYTES = ascii(KEY_TEXTS.join(''));
const KEY_STARTS = new Int32Array(KEY_TEXTS.length + 1);
/** Each key's whole four-byte words (little-endian), one key after another; member m's from WORD_STARTS[m]. */
const KEY_WORDS: number[] = [];
const WORD_STARTS = new Int32Array(KEY_TEXTS.length + 1);
KEY_TEXTS.forEach((text, m) => {
  KEY_STARTS[m + 1] = KEY_STARTS[m]! + text.length;
  for (let w = 0; w + 4 <= text.length; w += 4) KEY_WORDS.push(KEY_BYTES.readUInt32LE(KEY_STARTS[m]! + w));
  WORD_STARTS[m + 1] = KEY_WORDS.length;
});

/** The fewest bytes a GPU's readings take (every value one byte, "[]" or a one-character text), to size the columns. */
const MIN_GPU_BYTES = KEY_BYTES.length + MEMBER_KINDS.reduce((sum, kind) => sum + (kind === UUID ? 3 : kind === REASONS ? 2 : 1), 1);

/** Powers of ten that doubles hold exactly (10^0 … 10^22). */
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
/** Digits whose integer a double always holds exactly (10^15 < 2^53). */
const EXACT_DIGITS = 15;

/** Bytes a number, true, false or null is written with. */
const PRIMITIVE_BYTES = new Uint8Array(256);
for (const c of '0123456789+-.eEtruefalsn') PRIMITIVE_BYTES[c.charCodeAt(0)] = 1;

/** Thrown (once made) where the text leaves the layout this reads; caught by scanCanonicalBatch. */
const NOT_CANONICAL = new Error('not in the canonical layout');

/**
 * Reads a batch's text as described on ScannedBatch; undefined when it is not in agents' layout
 * (or its samples are not valid), for JSON.parse to read.
 */
export function scanCanonicalBatch(bytes: Uint8Array): ScannedBatch | undefined {
  try {
    return new Scanner(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).batch();
  } catch (error) {
    if (error === NOT_CANONICAL) return undefined;
    throw error;
  }
}

class Scanner {
  readonly #b: Buffer;
  readonly #view: DataView;
  #i = 0;
  #cells: Float64Array;
  #reasons: (string | null)[] = [];
  #gpus: string[] = [];
  #indexOf = new Map<string, number>();
  #rows = 0;

  constructor(bytes: Buffer) {
    this.#b = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#cells = new Float64Array((Math.floor(bytes.length / MIN_GPU_BYTES) + 1) * CELLS_PER_ROW);
  }

  /** The top-level object: its "samples" member read here, the others cut out whole and parsed by JSON.parse. */
  batch(): ScannedBatch {
    const b = this.#b;
    this.#expect(Byte.OpenBrace);
    let instants = -1;
    let cut: [number, number] | undefined;
    for (;;) {
      const memberStart = this.#i;
      const keyStart = this.#i + 1;
      this.#plainString();
      const keyEnd = this.#i - 1;
      this.#expect(Byte.Colon);
      if (b.subarray(keyStart, keyEnd).equals(SAMPLES_KEY)) {
        // A second "samples" member: JSON.parse keeps the last; leave that to it.
        if (instants >= 0) throw NOT_CANONICAL;
        instants = this.#samples();
        cut = [memberStart, this.#i];
      } else this.#skipValue(0);
      const next = b[this.#i++];
      if (next === Byte.CloseBrace) break;
      if (next !== Byte.Comma) throw NOT_CANONICAL;
    }
    if (this.#i !== b.length || cut === undefined) throw NOT_CANONICAL;
    // The text less the samples member and one comma beside it, cut at ASCII bytes, so that each
    // side decodes from UTF-8 as it would within the whole text.
    const [from, to] = cut;
    const envelopeText = b[from - 1] === Byte.Comma ? b.toString('utf8', 0, from - 1) + b.toString('utf8', to) : b.toString('utf8', 0, from) + b.toString('utf8', b[to] === Byte.Comma ? to + 1 : to);
    let envelope: unknown;
    try {
      envelope = JSON.parse(envelopeText);
    } catch {
      throw NOT_CANONICAL;
    }
    const rows = this.#rows;
    const cells = this.#cells.length === rows * CELLS_PER_ROW ? this.#cells : this.#cells.slice(0, rows * CELLS_PER_ROW);
    return { envelope: envelope as Record<string, unknown>, instants, columns: { gpus: this.#gpus, cells, reasons: this.#reasons } };
  }

  /** A samples array; returns how many samples it has. */
  #samples(): number {
    const b = this.#b;
    this.#expect(Byte.OpenBracket);
    if (b[this.#i] === Byte.CloseBracket) {
      this.#i++;
      return 0;
    }
    let count = 0;
    for (;;) {
      if (++count > MAX_BATCH_SAMPLES) throw NOT_CANONICAL;
      this.#literal(SAMPLE_AT);
      const atStart = this.#i + 1;
      this.#plainString();
      const atText = b.toString('latin1', atStart, this.#i - 1);
      if (!isInstant(atText)) throw NOT_CANONICAL;
      const at = Date.parse(atText);
      this.#literal(SAMPLE_GPUS);
      if (b[this.#i] === Byte.CloseBracket) this.#i++;
      else
        for (let gpus = 1; ; gpus++) {
          if (gpus > 64) throw NOT_CANONICAL;
          this.#gpu(at);
          const next = b[this.#i++];
          if (next === Byte.CloseBracket) break;
          if (next !== Byte.Comma) throw NOT_CANONICAL;
        }
      this.#expect(Byte.CloseBrace);
      const next = b[this.#i++];
      if (next === Byte.CloseBracket) return count;
      if (next !== Byte.Comma) throw NOT_CANONICAL;
    }
  }

  /** One GPU's readings at `at`, as a row of the columns. */
  #gpu(at: number): void {
    const b = this.#b;
    const view = this.#view;
    const r = this.#rows++;
    const o = r * CELLS_PER_ROW;
    const cells = this.#cells;
    if (o + CELLS_PER_ROW > cells.length) throw NOT_CANONICAL;
    cells[o] = at;
    let i = this.#i;
    for (let m = 0; m < MEMBER_KINDS.length; m++) {
      // The member's key ({"key": or ,"key":), four bytes at a time, then the last few.
      const keyStart = KEY_STARTS[m]!;
      const keyEnd = KEY_STARTS[m + 1]!;
      if (i + keyEnd - keyStart > b.length) throw NOT_CANONICAL;
      const wordsEnd = WORD_STARTS[m + 1]!;
      for (let w = WORD_STARTS[m]!; w < wordsEnd; w++, i += 4) if (view.getUint32(i, true) !== KEY_WORDS[w]) throw NOT_CANONICAL;
      for (let k = keyEnd - ((keyEnd - keyStart) % 4); k < keyEnd; k++, i++) if (b[i] !== KEY_BYTES[k]) throw NOT_CANONICAL;
      const kind = MEMBER_KINDS[m];
      if (kind === READING) {
        this.#i = i;
        cells[o + MEMBER_CELLS[m]!] = this.#matches(NULL) ? Number.NaN : this.#number();
        i = this.#i;
      } else if (kind === FLAG) {
        this.#i = i;
        cells[o + MEMBER_CELLS[m]!] = this.#matches(NULL) ? Number.NaN : this.#matches(TRUE) ? 1 : this.#matches(FALSE) ? 0 : this.#fail();
        i = this.#i;
      } else if (kind === REASONS) {
        this.#i = i;
        this.#reasons[r] = this.#matches(NULL) ? null : this.#reasonList();
        i = this.#i;
      } else {
        this.#i = i;
        const start = i + 1;
        this.#plainString();
        i = this.#i;
        const length = i - 1 - start;
        if (length < 1 || length > 100) throw NOT_CANONICAL;
        const uuid = b.toString('latin1', start, i - 1);
        let gpu = this.#indexOf.get(uuid);
        if (gpu === undefined) {
          gpu = this.#gpus.length;
          this.#gpus.push(uuid);
          this.#indexOf.set(uuid, gpu);
        }
        cells[o + 1] = gpu;
      }
    }
    this.#i = i;
    this.#expect(Byte.CloseBrace);
  }

  /** A clock event reasons list (at most 16 texts of at most 64 characters), as its JSON text. */
  #reasonList(): string {
    const b = this.#b;
    const start = this.#i;
    this.#expect(Byte.OpenBracket);
    if (b[this.#i] === Byte.CloseBracket) {
      this.#i++;
      return '[]';
    }
    for (let n = 1; ; n++) {
      if (n > 16) throw NOT_CANONICAL;
      const from = this.#i;
      this.#plainString();
      if (this.#i - from - 2 > 64) throw NOT_CANONICAL;
      const next = b[this.#i++];
      if (next === Byte.CloseBracket) break;
      if (next !== Byte.Comma) throw NOT_CANONICAL;
    }
    // Printable ASCII without escapes: the text is what JSON.stringify writes for the list.
    return b.toString('latin1', start, this.#i);
  }

  /**
   * A JSON number. Up to 15 significant digits and no exponent (nearly every reading), its value
   * is the digits' integer divided by an exact power of ten: one correctly rounded division of
   * two exact doubles, the same double JSON.parse gives. Anything longer is converted by Number().
   */
  #number(): number {
    const b = this.#b;
    const start = this.#i;
    let i = start;
    const negative = b[i] === Byte.Minus;
    if (negative) i++;
    let mantissa = 0;
    let digits = 0;
    let fraction = 0;
    let c = b[i]!;
    // A leading zero stands alone: a digit after it is not followed by the next member's key, and fails there.
    if (c === Byte.Zero) c = b[++i]!;
    else if (c > Byte.Zero && c <= Byte.Nine) {
      do {
        mantissa = mantissa * 10 + (c - Byte.Zero);
        digits++;
        c = b[++i]!;
      } while (c >= Byte.Zero && c <= Byte.Nine);
    } else throw NOT_CANONICAL;
    if (c === Byte.Dot) {
      c = b[++i]!;
      if (!(c >= Byte.Zero && c <= Byte.Nine)) throw NOT_CANONICAL;
      do {
        mantissa = mantissa * 10 + (c - Byte.Zero);
        digits++;
        fraction++;
        c = b[++i]!;
      } while (c >= Byte.Zero && c <= Byte.Nine);
    }
    let exponent = false;
    if (c === Byte.LowerE || c === Byte.UpperE) {
      exponent = true;
      c = b[++i]!;
      if (c === 0x2b || c === Byte.Minus) c = b[++i]!;
      if (!(c >= Byte.Zero && c <= Byte.Nine)) throw NOT_CANONICAL;
      do c = b[++i]!;
      while (c >= Byte.Zero && c <= Byte.Nine);
    }
    this.#i = i;
    let value: number;
    if (exponent || digits > EXACT_DIGITS) value = Number(b.toString('latin1', start, i));
    else {
      value = fraction === 0 ? mantissa : mantissa / EXACT_POWERS_OF_TEN[fraction]!;
      if (negative) value = -value;
    }
    // 1e999 parses as Infinity, which no reading may be.
    if (!Number.isFinite(value)) throw NOT_CANONICAL;
    return value;
  }

  /** A string of printable ASCII without escapes (what else there is goes to JSON.parse); the index ends past its closing quote. */
  #plainString(): void {
    const b = this.#b;
    let i = this.#i;
    if (b[i] !== Byte.Quote) throw NOT_CANONICAL;
    for (;;) {
      const c = b[++i];
      if (c === Byte.Quote) break;
      if (c === undefined || c < 0x20 || c > 0x7e || c === Byte.Backslash) throw NOT_CANONICAL;
    }
    this.#i = i + 1;
  }

  /**
   * Steps over any value but a samples array, without judging it (JSON.parse does, on the
   * envelope): strings to their unescaped closing quote, arrays and objects to their matching
   * close, numbers and literals over their characters. Deep nesting is left to JSON.parse.
   */
  #skipValue(depth: number): void {
    const b = this.#b;
    if (depth > 64) throw NOT_CANONICAL;
    const c = b[this.#i];
    if (c === Byte.Quote) {
      let i = this.#i;
      for (;;) {
        const d = b[++i];
        if (d === undefined) throw NOT_CANONICAL;
        if (d === Byte.Backslash) i++;
        else if (d === Byte.Quote) break;
      }
      this.#i = i + 1;
    } else if (c === Byte.OpenBracket || c === Byte.OpenBrace) {
      const close = c === Byte.OpenBracket ? Byte.CloseBracket : Byte.CloseBrace;
      this.#i++;
      if (b[this.#i] === close) {
        this.#i++;
        return;
      }
      for (;;) {
        if (c === Byte.OpenBrace) {
          this.#skipValue(depth + 1);
          this.#expect(Byte.Colon);
        }
        this.#skipValue(depth + 1);
        const next = b[this.#i++];
        if (next === close) return;
        if (next !== Byte.Comma) throw NOT_CANONICAL;
      }
    } else {
      // A number, true, false or null: their characters only, so that a text with whitespace (or
      // anything else) between tokens goes to JSON.parse rather than being split where JSON would not split it.
      let i = this.#i;
      while (i < b.length && PRIMITIVE_BYTES[b[i]!] === 1) i++;
      if (i === this.#i) throw NOT_CANONICAL;
      this.#i = i;
    }
  }

  #expect(byte: number): void {
    if (this.#b[this.#i] !== byte) throw NOT_CANONICAL;
    this.#i++;
  }

  /** Steps over `bytes`, which must come next. */
  #literal(bytes: Uint8Array): void {
    if (!this.#matches(bytes)) throw NOT_CANONICAL;
  }

  /** Steps over `bytes` when they come next. */
  #matches(bytes: Uint8Array): boolean {
    const b = this.#b;
    const at = this.#i;
    if (at + bytes.length > b.length) return false;
    for (let k = 0; k < bytes.length; k++) if (b[at + k] !== bytes[k]) return false;
    this.#i = at + bytes.length;
    return true;
  }

  #fail(): never {
    throw NOT_CANONICAL;
  }
}
