import type { NvlinkLink } from '../model.js';
import { perGpu, type CheckResult, type Earlier } from './component.js';
import { NVLINK_CRC_ERRORS_MAX_PER_S, NVLINK_REPLAY_RECOVERY_MAX } from './limits.js';

type Counter = 'crcErrors' | 'replayErrors' | 'recoveryErrors';
const COUNTERS = ['crcErrors', 'replayErrors', 'recoveryErrors'] as const satisfies readonly Counter[];
const WORDS: Readonly<Record<Counter, string>> = { crcErrors: 'CRC', replayErrors: 'replay', recoveryErrors: 'recovery' };

const total = (links: readonly NvlinkLink[], c: Counter): number => links.reduce((n, l) => n + (l[c] ?? 0), 0);

/**
 * Errors per link since the earlier pass; null when a counter went down (driver reload, GPU reset) and the change is unknown.
 * Links are matched by number; the driver lists them in the same order every pass, so each is looked for at its own place first.
 */
function increases(links: readonly NvlinkLink[], before: readonly NvlinkLink[]): { link: number; counter: Counter; added: number }[] | null {
  const out: { link: number; counter: Counter; added: number }[] = [];
  for (const [i, l] of links.entries()) {
    const b = before[i]?.link === l.link ? before[i] : before.find((x) => x.link === l.link);
    if (!b) continue;
    for (const c of COUNTERS) {
      if (l[c] === null || b[c] === null) continue;
      if (l[c] < b[c]) return null;
      if (l[c] > b[c]) out.push({ link: l.link, counter: c, added: l[c] - b[c] });
    }
  }
  return out;
}

/** "12 CRC, 3 replay" over all links: the lifetime totals, for the reason. */
function lifetime(links: readonly NvlinkLink[]): string {
  const parts = COUNTERS.map((c) => [c, total(links, c)] as const).filter(([, n]) => n > 0).map(([c, n]) => `${n} ${WORDS[c]}`);
  return parts.length === 0 ? 'no errors since the driver loaded' : `${parts.join(', ')} error(s) since the driver loaded`;
}

/** Judges the errors added since the earlier pass, as DCGM's NVLink health watch does. */
function judgeErrors(links: readonly NvlinkLink[], earlier: Earlier | null, up: string): Omit<CheckResult, 'gpu'> {
  const totals = lifetime(links);
  if (earlier === null) return { health: 'healthy', reason: `${up}; ${totals} (no earlier pass to judge a rate by: a one-shot scan, or the daemon's first pass)` };
  const added = increases(links, earlier.gpu.nvlink ?? []);
  if (added === null) return { health: 'healthy', reason: `${up}; ${totals}; counters were reset since the earlier pass (driver reload or GPU reset), so no rate yet` };
  const window = `in ${Math.round(earlier.seconds)} s`;
  const failing = added.filter((a) => a.counter !== 'crcErrors' && a.added >= NVLINK_REPLAY_RECOVERY_MAX);
  const crcFast = added.filter((a) => a.counter === 'crcErrors' && a.added / earlier.seconds >= NVLINK_CRC_ERRORS_MAX_PER_S);
  const describe = (xs: typeof added) => xs.map((a) => `link ${a.link}: ${a.added} ${WORDS[a.counter]}`).join(', ');
  if (failing.length > 0 || crcFast.length > 0) {
    const why = [
      ...(failing.length > 0 ? [`${describe(failing)} ${window} (a replay or recovery is a link fault)`] : []),
      ...(crcFast.length > 0 ? [`${describe(crcFast)} ${window} (${NVLINK_CRC_ERRORS_MAX_PER_S}/s or more)`] : []),
    ];
    return { health: 'degraded', reason: `NVLink errors now: ${why.join('; ')}; ${totals}`, suggestedAction: 'inspect_hardware' };
  }
  if (added.length > 0) return { health: 'healthy', reason: `${up}; ${describe(added)} ${window}, below ${NVLINK_CRC_ERRORS_MAX_PER_S}/s (corrected by replay); ${totals}` };
  return { health: 'healthy', reason: `${up}; no new errors ${window}; ${totals}` };
}

/**
 * NVLink state and errors. Links down are a fault now; the error counters count since the driver
 * loaded, so only their increase says a link is failing now (DCGM's NVLink watch): a replay or a
 * recovery, or CRC errors at NVLINK_CRC_ERRORS_MAX_PER_S or more.
 */
export const nvlink = perGpu(
  'nvlink',
  (g) => g.nvlink !== null && g.nvlink.length > 0,
  (g, _s, earlier) => {
    const links = g.nvlink!;
    const down = links.filter((l) => !l.active);
    // Every link down cannot be told apart from here: a PCIe board without NVLink bridges reports
    // its links so, and so does an NVSwitch (HGX) board whose fabric is not up (Fabric Manager
    // stopped, an NVSwitch failed), where jobs across GPUs fail. Neither healthy nor degraded.
    if (down.length === links.length) return { health: 'unknown', reason: `no NVLink up (0 of ${links.length}): as on a PCIe board without NVLink bridges; on an NVSwitch (HGX) board the fabric is down (check nvidia-fabricmanager and the NVSwitches)` };
    if (down.length > 0) return { health: 'degraded', reason: `NVLink ${down.map((l) => l.link).join(', ')} down of ${links.length}; ${lifetime(links)}`, suggestedAction: 'reset_gpu' };
    return judgeErrors(links, earlier, `${links.length} of ${links.length} links up`);
  },
);
