/**
 * Reading leaf values of `nvidia-smi -q -x` output: placeholders, numbers with units, and
 * the record of what the driver said it does not support.
 */

/** Placeholders by which nvidia-smi says explicitly that it cannot give a value. */
export const UNSUPPORTED_TEXTS = ['N/A', '[N/A]', 'Not Supported', '[Not Supported]', 'Requested functionality has been deprecated'] as const;

/** Placeholders that carry no value without saying the feature is missing. */
export const BLANK_TEXTS = ['', 'Unknown Error', '[Unknown Error]', 'REDACTED'] as const;

/** Units nvidia-smi prints inside values ("33 C", "24.84 W", "16x"). */
export const SMI_UNITS = ['W', 'J', 'C', 'MiB', 'MHz', '%', 'x'] as const;
export type SmiUnit = (typeof SMI_UNITS)[number];

/** Two-word vocabularies nvidia-smi uses for booleans. */
export const ENABLED = { yes: 'Enabled', no: 'Disabled' } as const;
export const YES_NO = { yes: 'Yes', no: 'No' } as const;
export const ACTIVE = { yes: 'Active', no: 'Not Active' } as const;
export type Vocabulary = { readonly yes: string; readonly no: string };

const unsupportedTexts: ReadonlySet<string> = new Set(UNSUPPORTED_TEXTS);
const blankTexts: ReadonlySet<string> = new Set(BLANK_TEXTS);

function isUnsupportedText(value: unknown): boolean {
  return typeof value === 'string' && unsupportedTexts.has(value.trim());
}

function isRecord(node: unknown): node is Readonly<Record<string, unknown>> {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/**
 * The node at `path` below `node`, or undefined when an element is missing. An element that
 * says "N/A" where children were expected (`<remapped_rows>N/A</remapped_rows>`) answers
 * "N/A" for every descendant, so that each field it stands for is recorded as unsupported.
 */
export function at(node: unknown, ...path: readonly string[]): unknown {
  let current = node;
  for (const key of path) {
    if (isUnsupportedText(current)) return current;
    if (!isRecord(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/** The first node that is present: for elements renamed between driver versions. */
export function firstPresent(...nodes: readonly unknown[]): unknown {
  return nodes.find((node) => node !== undefined);
}

/** The element's children when it has any, else an empty record. */
export function childrenOf(node: unknown): Readonly<Record<string, unknown>> {
  return isRecord(node) ? node : {};
}

const QUANTITY = /^(-?\d+(?:\.\d+)?)\s*([A-Za-z%]+)$/;
const COUNT = /^\d+$/;

/** "24.84 W" → 24.84 when `unit` is W; null for another unit or text that is no quantity. */
export function parseQuantity(text: string, unit: SmiUnit): number | null {
  const match = QUANTITY.exec(text);
  if (match === null || match[2] !== unit) return null;
  return Number(match[1]);
}

/**
 * Reads leaves as model values and remembers, under the model's field names, those the
 * source reported as not available. Absent elements and unparsable text give null silently:
 * only an explicit placeholder means "unsupported".
 */
export class FieldReader {
  readonly #unsupported = new Set<string>();

  /** Model field names the source reported as not available, sorted. */
  get unsupported(): readonly string[] {
    return [...this.#unsupported].sort();
  }

  markUnsupported(field: string): void {
    this.#unsupported.add(field);
  }

  /** Takes over what `sub` recorded, each name under `prefix` (e.g. "ecc.enabled"). */
  adopt(prefix: string, sub: FieldReader): void {
    for (const field of sub.unsupported) this.markUnsupported(`${prefix}.${field}`);
  }

  text(field: string, node: unknown): string | null {
    if (typeof node !== 'string') return null;
    const value = node.trim();
    if (unsupportedTexts.has(value)) {
      this.markUnsupported(field);
      return null;
    }
    return blankTexts.has(value) ? null : value;
  }

  quantity(field: string, node: unknown, unit: SmiUnit): number | null {
    const text = this.text(field, node);
    return text === null ? null : parseQuantity(text, unit);
  }

  /** A unitless non-negative integer (error counters, link generation). */
  count(field: string, node: unknown): number | null {
    const text = this.text(field, node);
    return text !== null && COUNT.test(text) ? Number(text) : null;
  }

  flag(field: string, node: unknown, vocabulary: Vocabulary): boolean | null {
    const text = this.text(field, node);
    if (text === vocabulary.yes) return true;
    return text === vocabulary.no ? false : null;
  }
}
