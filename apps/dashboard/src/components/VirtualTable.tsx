import { useEffect, useState, type ReactNode, type UIEvent } from 'react';

export interface Column<T> {
  readonly key: string;
  readonly header: ReactNode;
  readonly cell: (row: T) => ReactNode;
  readonly className?: string;
}

interface VirtualTableProps<T> {
  readonly label: string;
  readonly total: number;
  /** The row at an index, or undefined while its page loads (a placeholder row is drawn). */
  readonly rowAt: (index: number) => T | undefined;
  readonly rowKey: (row: T) => string;
  readonly columns: readonly Column<T>[];
  /** Told which rows are in view (first inclusive, last exclusive), so that they can be fetched. */
  readonly onRange: (first: number, last: number) => void;
  readonly rowHeight?: number;
  readonly height?: number;
}

/** Rows drawn beyond the view on each side, so that a short scroll shows no gap. */
const OVERSCAN = 10;

/**
 * A table of any length that draws only the rows in view (fixed row height): a list of 12,500
 * nodes costs the DOM of some forty rows.
 */
export function VirtualTable<T>({ label, total, rowAt, rowKey, columns, onRange, rowHeight = 36, height = 560 }: VirtualTableProps<T>) {
  const [top, setTop] = useState(0);
  const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
  const last = Math.min(total, Math.ceil((top + height) / rowHeight) + OVERSCAN);
  useEffect(() => onRange(first, last), [first, last, onRange]);
  const onScroll = (e: UIEvent<HTMLDivElement>) => setTop(e.currentTarget.scrollTop);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const row = rowAt(i);
    rows.push(
      row === undefined ? (
        <tr key={`pending-${i}`} className="pending" style={{ height: rowHeight }} aria-busy="true">
          <td colSpan={columns.length}>…</td>
        </tr>
      ) : (
        <tr key={rowKey(row)} style={{ height: rowHeight }}>
          {columns.map((c) => (
            <td key={c.key} className={c.className}>
              {c.cell(row)}
            </td>
          ))}
        </tr>
      ),
    );
  }
  return (
    <div className="virtual" style={{ maxHeight: height }} onScroll={onScroll}>
      <table aria-label={label} aria-rowcount={total + 1}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} className={c.className}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {first > 0 && <tr className="spacer" style={{ height: first * rowHeight }} aria-hidden="true" />}
          {rows}
          {last < total && <tr className="spacer" style={{ height: (total - last) * rowHeight }} aria-hidden="true" />}
        </tbody>
      </table>
    </div>
  );
}
