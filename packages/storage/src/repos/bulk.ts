import { CompiledQuery, sql, type Kysely } from 'kysely';

/** How a database numbers bound parameters: `?` (SQLite) or `$1…` (PostgreSQL). */
export type PlaceholderStyle = 'question' | 'dollar';

/** Read from Kysely's own compiler for this database, so no repository checks a dialect's name. */
export const placeholderStyleOf = <DB>(db: Kysely<DB>): PlaceholderStyle => (sql`${0}`.compile(db).sql === '?' ? 'question' : 'dollar');

/** Parameters per statement at most: under SQLite's 32,766 (PostgreSQL allows 65,535). */
const MAX_PARAMETERS = 32_000;

/**
 * A multi-row `prefix VALUES (…), (…) suffix` statement, its text made once per row count.
 * With `?` placeholders (SQLite, where prepared statements are kept per text) counts are powers
 * of two (24 rows run as 16 + 8), so that few texts exist and are reused; with `$n` (PostgreSQL,
 * a round trip per statement) all rows go in one statement. Kysely's builder would also build
 * and compile a node per value, which costs more than the insert itself at ingest rates.
 */
export class BulkStatement {
  readonly #prefix: string;
  readonly #columns: number;
  readonly #suffix: string;
  readonly #texts = new Map<string, string>();
  /** Rows per statement at most; for `?` placeholders, a power of two. */
  readonly #largest: Record<PlaceholderStyle, number>;

  constructor(prefix: string, columns: number, suffix: string) {
    this.#prefix = prefix;
    this.#columns = columns;
    this.#suffix = suffix;
    const largest = Math.floor(MAX_PARAMETERS / columns);
    this.#largest = { question: 2 ** Math.floor(Math.log2(largest)), dollar: largest };
  }

  #text(rows: number, style: PlaceholderStyle): string {
    let text = style === 'question' ? this.#texts.get(`${rows}`) : undefined;
    if (text === undefined) {
      const tuples: string[] = [];
      for (let r = 0, p = 1; r < rows; r++) {
        const marks: string[] = [];
        for (let c = 0; c < this.#columns; c++, p++) marks.push(style === 'question' ? '?' : `$${p}`);
        tuples.push(`(${marks.join(',')})`);
      }
      text = `${this.#prefix} values ${tuples.join(',')} ${this.#suffix}`;
      // Only `?` texts are kept: a dozen sizes at most, where `$n` texts come in every size.
      if (style === 'question') this.#texts.set(`${rows}`, text);
    }
    return text;
  }

  /** Runs over rows given flat (`columns` values per row, in order); returns the rows affected. */
  async run<DB>(db: Kysely<DB>, style: PlaceholderStyle, values: readonly unknown[]): Promise<number> {
    const total = values.length / this.#columns;
    let affected = 0;
    for (let done = 0; done < total; ) {
      const left = total - done;
      const largest = this.#largest[style];
      const rows = left >= largest ? largest : style === 'dollar' ? left : 2 ** Math.floor(Math.log2(left));
      const result = await db.executeQuery(CompiledQuery.raw(this.#text(rows, style), values.slice(done * this.#columns, (done + rows) * this.#columns)));
      affected += Number(result.numAffectedRows ?? 0n);
      done += rows;
    }
    return affected;
  }
}
