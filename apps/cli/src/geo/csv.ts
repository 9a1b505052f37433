import { parse } from 'csv-parse/sync';
import { CliError } from '../errors.js';

/** One data row of a CSV file, with the fields named by the header and its line number. */
export interface CsvRow {
  readonly line: number;
  readonly get: (column: string) => string;
}

interface ParsedRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/**
 * Parses CSV text with a header row that must name every column in `required` (in any order;
 * other columns are ignored; `optional` ones read as '' when absent). Throws a coded error naming the file and line.
 */
export function parseCsv(file: string, text: string, required: readonly string[], optional: readonly string[] = []): CsvRow[] {
  let records: ParsedRecord[];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, info: true }) as unknown as ParsedRecord[];
  } catch (error) {
    const e = error as { code?: string; message: string; lines?: number };
    const where = e.lines === undefined ? '' : ` line ${e.lines}`;
    throw new CliError('LOCUS_ERR_INPUT_CSV', `${file}${where}: malformed CSV (${e.message})`, 'Each row needs the same number of comma-separated fields as the header.');
  }
  const [header, ...rows] = records;
  const expected = `header ${required.join(',')}`;
  if (!header) throw new CliError('LOCUS_ERR_INPUT_CSV', `${file}: the file is empty; expected a ${expected}`);
  const columns = header.record.map((c) => c.toLowerCase());
  const duplicate = columns.find((c, i) => c !== '' && columns.indexOf(c) !== i);
  if (duplicate) throw new CliError('LOCUS_ERR_INPUT_CSV', `${file} line ${header.info.lines}: column "${duplicate}" appears twice in the header`);
  const missing = required.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new CliError(
      'LOCUS_ERR_INPUT_CSV',
      `${file} line ${header.info.lines}: header lacks column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}; found "${header.record.join(',')}"`,
      `The first row must be a ${expected}.`,
    );
  }
  const index = new Map([...required, ...optional].map((c) => [c, columns.indexOf(c)]));
  return rows.map(({ record, info }) => ({ line: info.lines, get: (column: string) => record[index.get(column) ?? -1] ?? '' }));
}
