import { useCallback, useRef, useState } from 'react';
import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import type { ListedNode, NodeListPage } from '../../api/types.js';
import { usePoll } from '../../hooks/usePoll.js';
import { NODE_FILTER_KEYS, type NodeFilter } from '../../router/routes.js';

/** Rows per request: the server pages, the browser asks only for the pages in view. */
export const PAGE_SIZE = 100;

export interface NodeWindow {
  readonly total: number;
  readonly offset: number;
  readonly rows: readonly ListedNode[];
}

export interface NodeList {
  /** The latest window of this filter; kept while the next one (after a scroll) loads. */
  readonly data: NodeWindow | undefined;
  readonly error: Error | undefined;
  readonly loading: boolean;
  readonly updatedAt: Date | undefined;
  reload(): void;
  rowAt(index: number): ListedNode | undefined;
  setRange(first: number, last: number): void;
}

/** The API query of a filter: empty fields left out, and a country only once it has two letters (as it is typed). */
export const nodeQuery = (filter: NodeFilter): Record<string, string> =>
  Object.fromEntries(NODE_FILTER_KEYS.flatMap((k) => (filter[k] && (k !== 'country' || /^[A-Z]{2}$/.test(filter[k])) ? [[k, filter[k]]] : [])));

/**
 * The nodes that match a filter, fetched a page at a time for the rows in view and refreshed
 * every poll interval; a new filter starts at its first page.
 */
export function useNodeList(filter: NodeFilter): NodeList {
  const api = useApi();
  const query = nodeQuery(filter);
  const filterKey = JSON.stringify(query);
  const [pages, setPages] = useState({ filterKey, first: 0, last: 0 });
  const current = pages.filterKey === filterKey ? pages : { filterKey, first: 0, last: 0 };
  const state = usePoll(`nodes|${filterKey}|${current.first}-${current.last}`, async (signal): Promise<NodeWindow> => {
    const answers = await Promise.all(
      Array.from({ length: current.last - current.first + 1 }, (_, i) => api.get<NodeListPage>(paths.nodes, { signal, query: { ...query, offset: (current.first + i) * PAGE_SIZE, limit: PAGE_SIZE } })),
    );
    return { total: answers[0]!.total, offset: current.first * PAGE_SIZE, rows: answers.flatMap((a) => a.nodes) };
  });
  const kept = useRef<{ filterKey: string; data: NodeWindow } | undefined>(undefined);
  if (state.data) kept.current = { filterKey, data: state.data };
  const data = state.data ?? (kept.current?.filterKey === filterKey ? kept.current.data : undefined);
  const setRange = useCallback(
    (first: number, last: number) => {
      const next = { filterKey, first: Math.floor(first / PAGE_SIZE), last: Math.floor(Math.max(first, last - 1) / PAGE_SIZE) };
      setPages((p) => (p.filterKey === next.filterKey && p.first === next.first && p.last === next.last ? p : next));
    },
    [filterKey],
  );
  return {
    data,
    error: state.error,
    loading: state.loading && data === undefined,
    updatedAt: state.updatedAt,
    reload: state.reload,
    rowAt: (i) => (data ? data.rows[i - data.offset] : undefined),
    setRange,
  };
}
