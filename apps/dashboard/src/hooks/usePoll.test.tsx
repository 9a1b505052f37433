// @vitest-environment happy-dom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ChangesContext } from './useChanges.js';
import { CHANGE_RELOAD_GAP_MS, PollIntervalContext, usePoll } from './usePoll.js';

function Probe({ name, load }: { name: string; load: (signal: AbortSignal, previous: number | undefined) => Promise<number> }) {
  const state = usePoll(name, load);
  return <output>{state.loading ? 'loading' : `${state.data ?? '-'} ${state.error?.message ?? 'ok'}`}</output>;
}

const text = () => screen.getByRole('status').textContent;
const poll = (ui: React.ReactElement, ms: number) => render(<PollIntervalContext.Provider value={ms}>{ui}</PollIntervalContext.Provider>);
/** `ui` polling once a minute, after the server told of `count` changes. */
const afterChanges = (count: number, ui: React.ReactElement) => (
  <PollIntervalContext.Provider value={60_000}>
    <ChangesContext.Provider value={{ count, live: true }}>{ui}</ChangesContext.Provider>
  </PollIntervalContext.Provider>
);

afterEach(cleanup);

describe('usePoll', () => {
  it('loads again every interval, handing each load the previous data', async () => {
    const seen: (number | undefined)[] = [];
    poll(<Probe name="a" load={async (_, previous) => (seen.push(previous), (previous ?? 0) + 1)} />, 20);
    await waitFor(() => expect(Number(text()?.split(' ')[0])).toBeGreaterThanOrEqual(3));
    expect(seen.slice(0, 3)).toEqual([undefined, 1, 2]);
  });

  it('keeps the last data when a refresh fails, and says why', async () => {
    let calls = 0;
    poll(
      <Probe
        name="b"
        load={async () => {
          calls++;
          if (calls > 1) throw new Error('HTTP 502');
          return 7;
        }}
      />,
      20,
    );
    await waitFor(() => expect(text()).toBe('7 HTTP 502'));
  });

  it('starts over for a new key and cancels the old request', async () => {
    const signals: AbortSignal[] = [];
    const never = (signal: AbortSignal) => (signals.push(signal), new Promise<number>(() => {}));
    const view = poll(<Probe name="c" load={never} />, 60_000);
    expect(text()).toBe('loading');
    view.rerender(
      <PollIntervalContext.Provider value={60_000}>
        <Probe name="d" load={async () => 42} />
      </PollIntervalContext.Provider>,
    );
    await waitFor(() => expect(text()).toBe('42 ok'));
    expect(signals[0]?.aborted).toBe(true);
  });

  it('loads again when the server tells of a change: at once, or as soon as CHANGE_RELOAD_GAP_MS has passed since its last load', async () => {
    const seen: (number | undefined)[] = [];
    const load = async (_: AbortSignal, previous: number | undefined) => (seen.push(previous), (previous ?? 0) + 1);
    const at = (count: number) => afterChanges(count, <Probe name="f" load={load} />);
    const view = render(at(0));
    await waitFor(() => expect(text()).toBe('1 ok'));
    const loaded = performance.now();
    // Just loaded: the change waits out the gap.
    view.rerender(at(1));
    await act(() => new Promise((r) => setTimeout(r, 300)));
    expect(text()).toBe('1 ok');
    await waitFor(() => expect(text()).toBe('2 ok'), { timeout: CHANGE_RELOAD_GAP_MS + 1_000 });
    expect(performance.now() - loaded).toBeGreaterThanOrEqual(CHANGE_RELOAD_GAP_MS - 50);
    // Loaded longer ago than the gap: at once.
    await act(() => new Promise((r) => setTimeout(r, CHANGE_RELOAD_GAP_MS + 100)));
    const changed = performance.now();
    view.rerender(at(2));
    await waitFor(() => expect(text()).toBe('3 ok'));
    expect(performance.now() - changed).toBeLessThan(500);
    expect(seen).toEqual([undefined, 1, 2]);
  }, 15_000);

  it('never cuts a load short for a change: told while loading, it loads again after', async () => {
    const signals: AbortSignal[] = [];
    const load = async (signal: AbortSignal, previous: number | undefined) => {
      signals.push(signal);
      await new Promise((r) => setTimeout(r, 200));
      return (previous ?? 0) + 1;
    };
    const at = (count: number) => afterChanges(count, <Probe name="g" load={load} />);
    const view = render(at(0));
    await act(() => new Promise((r) => setTimeout(r, 50)));
    view.rerender(at(1));
    await waitFor(() => expect(text()).toBe('1 ok'));
    expect(signals[0]?.aborted).toBe(false);
    await waitFor(() => expect(text()).toBe('2 ok'), { timeout: CHANGE_RELOAD_GAP_MS + 1_000 });
  }, 10_000);

  it('stops polling when unmounted', async () => {
    let calls = 0;
    const view = poll(<Probe name="e" load={async () => ++calls} />, 10);
    await waitFor(() => expect(calls).toBeGreaterThan(0));
    view.unmount();
    const after = calls;
    await act(() => new Promise((r) => setTimeout(r, 60)));
    expect(calls).toBe(after);
  });
});
