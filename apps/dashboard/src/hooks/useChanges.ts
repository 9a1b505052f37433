import { createContext, useEffect, useState } from 'react';
import type { ApiClient } from '../api/client.js';
import { isAbort } from '../api/errors.js';
import { paths } from '../api/paths.js';

/**
 * What the server's change stream (GET /api/v1/changes) has told: how many changes so far (polls
 * reload when it grows) and whether the stream is open (the header says "live"). Outside a
 * session, or before the stream opens, polls keep their interval alone.
 */
export interface Changes {
  readonly count: number;
  readonly live: boolean;
}

export const ChangesContext = createContext<Changes>({ count: 0, live: false });

/** One server-sent event: its name (`message` when the block names none) and its data lines joined. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * Splits server-sent event text into the complete events it holds and the rest (an event not yet
 * ended by a blank line). Comments (`: keep-alive`) and `retry:` lines are skipped.
 */
export function parseSse(text: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  const blocks = text.replace(/\r\n?/g, '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return { events, rest };
}

/** Waits after a stream ends or fails before opening another: doubling from the first, up to the last. */
export const RECONNECT_MS = [2_000, 60_000] as const;

/**
 * Keeps the change stream open while mounted: counts each `change` event, says whether it is
 * open, and opens it again after a wait when it ends or fails (a server restart, a proxy's
 * timeout). A 401 ends the session through the client, as on every call. The stream does not
 * replay what changed while it was closed, so a stream ready again after one that had been
 * counts as a change (polls reload at once rather than at their next interval).
 */
export function useChangeStream(api: ApiClient, [firstWaitMs, lastWaitMs]: readonly [number, number] = RECONNECT_MS): Changes {
  const [changes, setChanges] = useState<Changes>({ count: 0, live: false });
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wait = firstWaitMs;
    let wasReady = false;
    const open = async () => {
      try {
        const reader = (await api.stream(paths.changes, { signal: controller.signal })).getReader();
        const decoder = new TextDecoder();
        let text = '';
        for (let read = await reader.read(); !read.done; read = await reader.read()) {
          const parsed = parseSse(text + decoder.decode(read.value, { stream: true }));
          text = parsed.rest;
          for (const { event } of parsed.events) {
            if (event === 'ready') {
              wait = firstWaitMs;
              const missed = wasReady ? 1 : 0;
              wasReady = true;
              setChanges((c) => ({ count: c.count + missed, live: true }));
            } else if (event === 'change') setChanges((c) => ({ count: c.count + 1, live: true }));
          }
        }
      } catch (error) {
        if (isAbort(error) || controller.signal.aborted) return;
      }
      if (controller.signal.aborted) return;
      setChanges((c) => ({ ...c, live: false }));
      timer = setTimeout(() => void open(), wait);
      wait = Math.min(wait * 2, lastWaitMs);
    };
    void open();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [api, firstWaitMs, lastWaitMs]);
  return changes;
}
