import type { SxidEvent } from '../nvidia/kmsg.js';
import type { Component } from './component.js';

/** Distinct events named in a reason; a storm of them is counted, not listed. */
const LISTED = 6;

/** "SXid 20034 on 0000:06:00.0 (Link 48 LTSSM Fault Up)", one per distinct SXid, switch and text. */
function describe(events: readonly SxidEvent[]): string {
  const distinct = [...new Set(events.map((e) => `SXid ${e.sxid} on ${e.pciBusId}${e.message ? ` (${e.message})` : ''}`))];
  const more = distinct.length - LISTED;
  return distinct.slice(0, LISTED).join('; ') + (more > 0 ? `; and ${more} more` : '');
}

/**
 * NVSwitch errors (SXid) from the kernel log: one finding about the host, since a switch serves
 * every GPU of the NVLink fabric. The driver marks each event Fatal or Non-fatal, and that is all
 * Locus judges by: it has no catalog of SXid numbers. NVIDIA's Fabric Manager guide: a fatal SXid
 * leaves the fabric (and the CUDA jobs across it) broken until the GPUs and NVSwitches are reset,
 * which on most systems means a reboot; a non-fatal one was corrected and needs no action unless
 * it recurs.
 */
export const nvswitch: Component = {
  name: 'nvswitch',
  isSupported: () => true,
  check: (s) => {
    const fatal = s.sxids.filter((e) => e.fatal);
    const corrected = s.sxids.filter((e) => !e.fatal);
    // Said in the reason so that nobody reads more into it than the Fatal/Non-fatal word.
    const unknownMeaning = 'Locus has no catalog of SXid numbers; NVIDIA\'s Fabric Manager user guide explains them';
    if (fatal.length > 0) {
      const also = corrected.length > 0 ? `; also ${corrected.length} non-fatal` : '';
      return [{ health: 'unhealthy', reason: `${fatal.length} fatal NVSwitch error(s), as the driver logged them: ${describe(fatal)}${also} (${unknownMeaning}). The NVLink fabric is down until the GPUs and NVSwitches are reset`, suggestedAction: 'reboot' }];
    }
    if (corrected.length > 0) return [{ health: 'healthy', reason: `${corrected.length} non-fatal NVSwitch error(s), corrected by the switch: ${describe(corrected)} (${unknownMeaning}; inspect the link if they recur)` }];
    if (s.kernelLogUnread !== undefined) return [{ health: 'unknown', reason: s.kernelLogUnread }];
    return [{ health: 'healthy', reason: 'no NVSwitch errors (SXid) in the kernel log' }];
  },
};
