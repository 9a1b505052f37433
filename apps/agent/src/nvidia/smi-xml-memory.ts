/** GPU memory health in `nvidia-smi -q -x` output: ECC counters, row remapping, page retirement. */
import type { EccCounts, RemappedRows, RetiredPages } from '../model.js';
import { ENABLED, FieldReader, YES_NO, at, childrenOf } from './smi-xml-fields.js';

/** Pascal/Volta-era drivers group counters by bit count, each group with a `total`. */
const LEGACY_GROUP = { correctable: 'single_bit', uncorrectable: 'double_bit' } as const;
type ErrorKind = keyof typeof LEGACY_GROUP;

/** Turing and later report one counter per memory; v13 splits SRAM uncorrectable in two. */
const COUNTERS: Readonly<Record<ErrorKind, readonly string[]>> = {
  correctable: ['sram_correctable', 'dram_correctable'],
  uncorrectable: ['sram_uncorrectable', 'dram_uncorrectable'],
};
const SRAM_UNCORRECTABLE_PARTS = ['sram_uncorrectable_parity', 'sram_uncorrectable_secded'] as const;

function counterNames(scope: unknown, kind: ErrorKind): readonly string[] {
  const present = childrenOf(scope);
  if (kind === 'correctable' || Object.hasOwn(present, 'sram_uncorrectable')) return COUNTERS[kind];
  return ['dram_uncorrectable', ...SRAM_UNCORRECTABLE_PARTS];
}

/**
 * One ECC total for `scope` (volatile or aggregate). Counters the driver leaves N/A next to
 * numeric ones are skipped; the field is null, and unsupported, only when none is numeric.
 */
function eccTotal(reader: FieldReader, field: string, scope: unknown, kind: ErrorKind): number | null {
  if (Object.hasOwn(childrenOf(scope), LEGACY_GROUP[kind])) return reader.count(field, at(scope, LEGACY_GROUP[kind], 'total'));
  const scratch = new FieldReader();
  const counts = counterNames(scope, kind).flatMap((name) => scratch.count(name, at(scope, name)) ?? []);
  if (counts.length > 0) return counts.reduce((a, b) => a + b, 0);
  if (scratch.unsupported.length > 0) reader.markUnsupported(field);
  return null;
}

export function readEcc(gpu: unknown, reader: FieldReader): EccCounts {
  const sub = new FieldReader();
  const errors = at(gpu, 'ecc_errors');
  const ecc: EccCounts = {
    enabled: sub.flag('enabled', at(gpu, 'ecc_mode', 'current_ecc'), ENABLED),
    volatileCorrected: eccTotal(sub, 'volatileCorrected', at(errors, 'volatile'), 'correctable'),
    volatileUncorrected: eccTotal(sub, 'volatileUncorrected', at(errors, 'volatile'), 'uncorrectable'),
    aggregateCorrected: eccTotal(sub, 'aggregateCorrected', at(errors, 'aggregate'), 'correctable'),
    aggregateUncorrected: eccTotal(sub, 'aggregateUncorrected', at(errors, 'aggregate'), 'uncorrectable'),
  };
  reader.adopt('ecc', sub);
  return ecc;
}

/**
 * A group of fields that is null as a whole when none of its fields has a value, recorded as
 * unsupported under its own name ("remappedRows") when the driver said N/A; otherwise each
 * N/A field is recorded under the group ("remappedRows.pending").
 */
function group<T extends object>(reader: FieldReader, name: string, sub: FieldReader, value: T): T | null {
  if (Object.values(value).every((field) => field === null)) {
    if (sub.unsupported.length > 0) reader.markUnsupported(name);
    return null;
  }
  reader.adopt(name, sub);
  return value;
}

/** Row remapping (Ampere and later). The `*_inactive` counters of some v13 files are not read. */
export function readRemappedRows(gpu: unknown, reader: FieldReader): RemappedRows | null {
  const node = at(gpu, 'remapped_rows');
  if (node === undefined) return null;
  const sub = new FieldReader();
  return group(reader, 'remappedRows', sub, {
    correctable: sub.count('correctable', at(node, 'remapped_row_corr')),
    uncorrectable: sub.count('uncorrectable', at(node, 'remapped_row_unc')),
    pending: sub.flag('pending', at(node, 'remapped_row_pending'), YES_NO),
    failed: sub.flag('failed', at(node, 'remapped_row_failure'), YES_NO),
  });
}

/** Page retirement (before Ampere). Drivers print `pending_blacklist`, `pending_retirement` or both. */
export function readRetiredPages(gpu: unknown, reader: FieldReader): RetiredPages | null {
  const node = at(gpu, 'retired_pages');
  if (node === undefined) return null;
  const sub = new FieldReader();
  const scratch = new FieldReader();
  const pendings = ['pending_retirement', 'pending_blacklist'].map((name) => scratch.flag('pending', at(node, name), YES_NO));
  const pending = pendings.includes(true) ? true : pendings.includes(false) ? false : null;
  if (pending === null && scratch.unsupported.length > 0) sub.markUnsupported('pending');
  return group(reader, 'retiredPages', sub, {
    singleBit: sub.count('singleBit', at(node, 'multiple_single_bit_retirement', 'retired_count')),
    doubleBit: sub.count('doubleBit', at(node, 'double_bit_retirement', 'retired_count')),
    pending,
  });
}
