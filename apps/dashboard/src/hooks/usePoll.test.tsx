// @vitest-environment happy-dom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ChangesContext } from './useChanges.js';
import { PollIntervalContext, usePoll } from './usePoll.js';

function Probe({ name, load }: { name: string; load: (signal: AbortSignal, previous: number | undefined) => Promise<number> }) {
  const state = usePoll(name, load);
  return <output>{state.loading ? 'loading' : `${state.data ?? '-'} ${state.error?.message ?? 'ok'}`}</output>;
}

const text = () => screen.getByRole('status').textContent;
const poll = (ui: React.ReactElement, ms: number) => render(<PollIntervalContext.Provider value={ms}>{ui}</PollIntervalContext.Provider>);

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

  it('loads again at once when the server tells of a change, handing the load the previous data', async () => {
    const seen: (number | undefined)[] = [];
    const load = async (_: AbortSignal, previous: number | undefined) => (seen.push(previous), (previous ?? 0) + 1);
    const at = (count: number) => (
      <PollIntervalContext.Provider value={60_000}>
        <ChangesContext.Provider value={{ count, live: true }}>
          <Probe name="f" load={load} />
        </ChangesContext.Provider>
      </PollIntervalContext.Provider>
    );
    const view = render(at(0));
    await waitFor(() => expect(text()).toBe('1 ok'));
    view.rerender(at(1));
    await waitFor(() => expect(text()).toBe('2 ok'));
    view.rerender(at(2));
    await waitFor(() => expect(text()).toBe('3 ok'));
    expect(seen).toEqual([undefined, 1, 2]);
  });

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
