// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeDetail, NodeInventory } from '../../api/types.js';
import { HostPanel } from './HostPanel.js';

const NOW = new Date('2026-12-03T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
const NO_INVENTORY: NodeInventory = { inventory: null, updatedAt: null, gpus: [] };
const REFUSAL = { code: 'LOCUS_ERR_VALIDATION', message: 'body sentAt: Invalid ISO datetime' };
const node = (over: Partial<NodeDetail>): NodeDetail => ({
  id: 'n1',
  name: 'gpu-7',
  hostKey: 'k'.repeat(43),
  claimedCountry: null,
  zoneId: null,
  createdAt: minutesAgo(600),
  lastMeasuredAt: null,
  agentVersion: '0.1.0',
  lastReportAt: null,
  lastRefusal: null,
  refused: false,
  ...over,
});
const fact = (term: string) => screen.getByText(term, { selector: 'dt' }).nextElementSibling?.textContent;

afterEach(cleanup);

describe('HostPanel', () => {
  it("says when the agent last reported, and why it does not when the server refuses its batches", () => {
    render(<HostPanel node={node({ lastReportAt: minutesAgo(30), lastRefusal: { at: minutesAgo(2), ...REFUSAL }, refused: true })} inventory={NO_INVENTORY} zoneName={null} now={NOW} />);
    expect(fact('Last report')).toBe('30 min ago');
    expect(fact('Agent version')).toBe('0.1.0');
    expect(fact('Last refused batch')).toBe('2 min ago');
    expect(screen.getByTestId('node-refused').textContent).toBe(`The server refuses this agent's batches (LOCUS_ERR_VALIDATION, 2 min ago): ${REFUSAL.message}. The agent drops each batch the server refuses and goes on, so their samples and events are lost.`);
  });

  it('says an agent newer than the server holds its queue', () => {
    const refusal = { at: minutesAgo(2), code: 'LOCUS_ERR_PROTO_VERSION', message: 'the body is of protocol version 2; this server reads version 1: upgrade the server (servers first, then agents and landmarks)' };
    render(<HostPanel node={node({ lastReportAt: minutesAgo(30), lastRefusal: refusal, refused: true })} inventory={NO_INVENTORY} zoneName={null} now={NOW} />);
    expect(screen.getByTestId('node-refused').textContent).toMatch(/: the body is of protocol version 2; .*\. The agent writes a protocol version this server does not read \(an agent newer than the server\): it holds its queue, dropping nothing but past its bound, and sends it once the server reads it \(upgrade the server\)\.$/);
  });

  it('names an older refusal without saying the batches are refused now, and nothing of one before any', () => {
    const { unmount } = render(<HostPanel node={node({ lastReportAt: minutesAgo(1), lastRefusal: { at: minutesAgo(90), ...REFUSAL } })} inventory={NO_INVENTORY} zoneName={null} now={NOW} />);
    expect(fact('Last refused batch')).toBe('2 h ago');
    expect(screen.queryByTestId('node-refused')).toBeNull();
    unmount();
    render(<HostPanel node={node({})} inventory={NO_INVENTORY} zoneName={null} now={NOW} />);
    expect(fact('Last report')).toBe('never');
    expect(screen.queryByText('Last refused batch')).toBeNull();
  });
});
