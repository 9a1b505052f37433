import type { XidEvent } from '../model.js';

/** When the kernel logged a line, as far as the line itself says. */
export type KernelTime = XidEvent['time'];

/** One kernel-log line with its timestamp prefix taken off. */
export interface KernelLine {
  readonly time: KernelTime;
  /** The text the kernel logged, after the prefix and the single space that ends it. */
  readonly message: string;
}

/** `/dev/kmsg` record: priority, sequence, µs since boot, flags, optional further fields, then `;`. */
const KMSG_RECORD = /^\d{1,4},\d{1,20},(\d{1,20}),[^;,]*(?:,[^;]*)?;/;
/** `dmesg --raw` keeps the syslog priority in front: `<6>[    1.234567] …`. */
const RAW_PRIORITY = /^<\d{1,4}>/;
/** `dmesg --decode`: facility and level, each padded to six characters. */
const DECODE = /^[a-z][a-z0-9]{0,9} *:(?:emerg|alert|crit|err|warn|notice|info|debug) *: /;
const MONOTONIC = /^\[ *(\d{1,12}\.\d{1,9})\] ?/;
/** `dmesg --ctime`: strftime "%a %b %e %H:%M:%S %Y", so a day below 10 is padded with a space. */
const CTIME = /^\[[A-Z][a-z]{2} [A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2} \d{4}\] ?/;
/** `dmesg --time-format iso`: comma before the microseconds, numeric offset. */
const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}),(\d{1,9})([+-]\d{2}:\d{2}|Z) ?/;
/** `journalctl -k -o short-iso[-precise]`: stamp (offset with or without a colon), host, `kernel:`. */
const JOURNAL = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([+-]\d{2}):?(\d{2}) \S+ kernel: /;

/**
 * Takes the timestamp prefix off one kernel-log line in any of the forms `dmesg` and
 * `/dev/kmsg` produce; a line without a recognised prefix comes back whole with a null time.
 */
export function splitKernelLine(line: string): KernelLine {
  const record = KMSG_RECORD.exec(line);
  if (record) return { time: { sinceBootS: Number(record[1]) / 1e6 }, message: line.slice(record[0].length) };
  const journal = JOURNAL.exec(line);
  if (journal) {
    const [prefix, seconds, fraction, hours, minutes] = journal;
    return { time: isoTime(seconds!, fraction, `${hours}:${minutes}`), message: line.slice(prefix.length) };
  }

  let rest = line.replace(RAW_PRIORITY, '');
  const decoded = DECODE.exec(rest);
  if (decoded) rest = rest.slice(decoded[0].length);

  const monotonic = MONOTONIC.exec(rest);
  if (monotonic) return { time: { sinceBootS: Number(monotonic[1]) }, message: rest.slice(monotonic[0].length) };

  // The --ctime stamp is the reader's local time with no zone, computed from the boot time
  // plus the monotonic clock (dmesg(1) warns it drifts after suspend). Any offset we attached
  // would be a guess, so the time is left unknown rather than recorded wrongly.
  const ctime = CTIME.exec(rest);
  if (ctime) return { time: null, message: rest.slice(ctime[0].length) };

  const iso = ISO.exec(rest);
  if (iso) return { time: isoTime(iso[1]!, iso[2], iso[3]!), message: rest.slice(iso[0].length) };

  return { time: null, message: rest };
}

/** Rewritten as RFC 3339 (decimal point, colon in the offset), which `Date.parse` reads. */
function isoTime(seconds: string, fraction: string | undefined, offset: string): KernelTime {
  const iso = `${seconds}${fraction === undefined ? '' : `.${fraction}`}${offset}`;
  return Number.isNaN(Date.parse(iso)) ? null : { iso };
}
