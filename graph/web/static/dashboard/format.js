// @ts-check
// Text for people: enum names as words, dates to no more than their
// precision says is known ("May 2025", never "1 May 2025"), spans as
// spans, figures as ranges where sources disagree.

export const DAY_MS = 86400000;
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function humanize(enumName) {
  const s = enumName.toLowerCase().replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function truncate(text, max) {
  return text.length > max ? text.slice(0, max - 1).trimEnd() + '…' : text;
}

export function pad2(n) { return String(n).padStart(2, '0'); }

// formatInstant shows only what the precision says is known: a
// month-precise date is "May 2025", never "1 May 2025".
/** @param {string} iso @param {string} precision */
export function formatInstant(iso, precision) {
  return formatPart(new Date(iso), precision, MONTHS);
}

export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
const RANK = { YEAR: 0, MONTH: 1, DAY: 2, MINUTE: 3, SECOND: 4 };

/** @typedef {{ earliest: string, latest: string, precision: string }} TimeSpan */

// alignment is the coarsest precision at whose boundary an instant lies:
// 1 January 00:00 is a year's start, 1 May 00:00 a month's.
/** @param {Date} d */
function alignment(d) {
  if (d.getUTCMilliseconds() || d.getUTCSeconds()) return 'SECOND';
  if (d.getUTCMinutes() || d.getUTCHours()) return 'MINUTE';
  if (d.getUTCDate() !== 1) return 'DAY';
  if (d.getUTCMonth() !== 0) return 'MONTH';
  return 'YEAR';
}

/** @param {string} a @param {string} b */
function finer(a, b) { return RANK[a] >= RANK[b] ? a : b; }

/** @param {Date} d @param {string} precision @param {number} n @returns {Date} */
function addUnits(d, precision, n) {
  const out = new Date(d.getTime());
  switch (precision) {
    case 'YEAR': out.setUTCFullYear(out.getUTCFullYear() + n); break;
    case 'MONTH': out.setUTCMonth(out.getUTCMonth() + n); break;
    case 'DAY': out.setUTCDate(out.getUTCDate() + n); break;
    case 'MINUTE': out.setTime(out.getTime() + n * 60000); break;
    default: out.setTime(out.getTime() + n * 1000);
  }
  return out;
}

// formatPart writes one date to a precision, month names in full:
// "2019", "April 2025", "10 May 1989", "10 May 1989, 14:30 UTC".
// (formatInstant's short months are given as names.)
/** @param {Date} d @param {string} precision @param {string[]} [names] */
function formatPart(d, precision, names = MONTH_NAMES) {
  const day = d.getUTCDate(), month = names[d.getUTCMonth()], year = d.getUTCFullYear();
  const hm = pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes());
  switch (precision) {
    case 'YEAR': return String(year);
    case 'MONTH': return month + ' ' + year;
    case 'DAY': return day + ' ' + month + ' ' + year;
    case 'MINUTE': return day + ' ' + month + ' ' + year + ', ' + hm + ' UTC';
    default: return day + ' ' + month + ' ' + year + ', ' + hm + ':' + pad2(d.getUTCSeconds()) + ' UTC';
  }
}

/**
 * formatDate writes an instant to its precision, month names in full
 * ("April 2025"), as formatSpan writes one period.
 * @param {string} iso @param {string} precision
 */
export function formatDate(iso, precision) { return formatPart(new Date(iso), precision); }

/**
 * formatSpan says when an item took place as far as it is known, from its
 * span [earliest, latest): one period reads as that period ("10 May
 * 1989", "April 2025", "2019"), a longer span as its first and last
 * periods, sharing what they share ("between 10 and 16 May 1989",
 * "between April and June 2025"). Each end is read to the span's
 * precision, or finer where the instant says more (a span from 13 March
 * to the end of May starts on a day, not in a month).
 * @param {TimeSpan} when
 */
export function formatSpan(when) {
  const start = new Date(when.earliest), end = new Date(when.latest);
  const sp = finer(when.precision, alignment(start));
  const ep = finer(when.precision, alignment(end));
  if (sp === ep && addUnits(start, sp, 1).getTime() >= end.getTime()) return formatPart(start, sp);
  const last = addUnits(end, ep, -1);
  const sameYear = start.getUTCFullYear() === last.getUTCFullYear();
  const sameMonth = sameYear && start.getUTCMonth() === last.getUTCMonth();
  let text;
  if (sp === 'DAY' && ep === 'DAY' && sameMonth) {
    text = start.getUTCDate() + ' and ' + formatPart(last, 'DAY');
  } else if (sameYear && (sp === 'DAY' || sp === 'MONTH') && (ep === 'DAY' || ep === 'MONTH')) {
    // The year once: "between 13 March and 7 May 2025", "between April and 15 June 2025".
    text = (sp === 'DAY' ? start.getUTCDate() + ' ' : '') + MONTH_NAMES[start.getUTCMonth()] + ' and ' + formatPart(last, ep);
  } else {
    text = formatPart(start, sp) + ' and ' + formatPart(last, ep);
  }
  return 'between ' + text;
}

/** @typedef {{ measure: string, low: number | null, best: number | null, high: number | null }} Estimate */

/**
 * figureRange is the range of a measure's figures for an event, as
 * eventCounts' fatalitiesLow/High count them: the least of its estimates
 * (low, else best, else high) to the greatest (high, else best, else low),
 * or the reported figure when it has no estimates; null when it has
 * neither.
 * @param {Estimate[]} estimates @param {string} measure @param {number | null | undefined} reported
 * @returns {{ low: number, high: number } | null}
 */
export function figureRange(estimates, measure, reported) {
  const own = (estimates || []).filter((e) => e.measure === measure);
  if (!own.length) return reported === null || reported === undefined ? null : { low: reported, high: reported };
  const lows = own.map((e) => e.low ?? e.best ?? e.high ?? 0);
  const highs = own.map((e) => e.high ?? e.best ?? e.low ?? 0);
  return { low: Math.min(...lows), high: Math.max(...highs) };
}

/** @param {{ low: number, high: number }} r */
export function rangeText(r) { return r.low === r.high ? String(r.low) : r.low + '\u2013' + r.high; }

export function isoDate(ms) { return new Date(ms).toISOString().slice(0, 10); }
