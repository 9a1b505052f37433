/**
 * When the overlay outlines (overlay-areas.ts) were last checked against the lines they follow,
 * kept apart from them so that code which only needs the date does not carry the outlines: the
 * package index exports this module, not the outlines (docs/geo.md, "Reviewing the overlay areas").
 */

/** The day the overlay outlines were last reviewed (YYYY-MM-DD, UTC): bump it at each review, whether or not an outline changed. */
export const OVERLAY_REVIEWED = '2025-12-01';

/** How long outlines may go unreviewed, in calendar months, before proofs judged with them are flagged: fronts move. */
export const OVERLAY_REVIEW_MONTHS = 6;

/** The overlay areas drawn along lines of contact that move (fronts, ceasefire lines), by name: the first to go out of date. */
export const OVERLAY_FRONTS = ['Russian-occupied south-eastern Ukraine', 'Abkhazia', 'South Ossetia', 'Transnistria'] as const;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The start (ms since the epoch, UTC) of a YYYY-MM-DD day, or undefined for anything else. */
export function dayStart(day: string): number | undefined {
  const m = DAY_PATTERN.exec(day);
  if (!m) return undefined;
  const [year, month, date] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = Date.UTC(year, month - 1, date);
  // Date.UTC rolls 2025-02-30 over to March: such a day does not exist.
  return new Date(at).getUTCDate() === date && new Date(at).getUTCMonth() === month - 1 ? at : undefined;
}

/**
 * Whether outlines reviewed on `reviewed` (YYYY-MM-DD) are due for review at `now` (ms since the
 * epoch): more than `months` calendar months have passed. A date that is not a day is due.
 */
export function overlayReviewDue(reviewed: string, now: number, months: number = OVERLAY_REVIEW_MONTHS): boolean {
  const start = dayStart(reviewed);
  if (start === undefined) return true;
  const d = new Date(start);
  return now > Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate());
}
