// @ts-check
// The histogram: events and fatalities per day, week, month or year over
// the filter's range, as an SVG chart whose bars narrow the range.
//
// An event dated to a span (a month, "between 10 and 16 May") counts in
// every bucket its span overlaps (eventCounts with timeMatch OVERLAPS): the
// part of a bar whose events lie wholly in its bucket (certain) is solid,
// the rest, events that may or may not have happened then, hatched.
// Fatalities are a line through each bucket's reported sum, with a whisker
// from the sum of the lowest estimates to that of the highest where the
// sources disagree.

import { $, svg, debounce } from './dom.js';
import { isoDate, DAY_MS, MONTHS } from './format.js';
import { gql, freshSignal, isAbort } from './api.js';
import { Q_EXTENT, Q_HISTOGRAM } from './queries.js';
import { apiFilter } from './filter.js';
import { emit } from './state.js';

/** @typedef {import('./filter.js').View} View */
/**
 * @typedef {{ start: string, count: number, certain: number, fatalities: number,
 *   fatalitiesLow: number, fatalitiesHigh: number }} Bucket
 * @typedef {{ count: number, fatalities: number, fatalitiesLow: number, fatalitiesHigh: number }} Totals
 */

/**
 * @type {{ rendered: boolean, buckets: Bucket[], totals: Totals | null, interval: string,
 *   domain: number[] | null, emptyText: string | null | undefined }}
 */
const histogram = { rendered: false, buckets: [], totals: null, interval: 'DAY', domain: null, emptyText: null };

const MAX_BAR_PX = 48;
const LABEL_GAP_PX = 68; // room for the widest axis label, "30 Sep 2025"
const INTERVAL_NOUN = { DAY: 'day', WEEK: 'week', MONTH: 'month', YEAR: 'year' };

// pickInterval keeps the bar count between a few dozen and ~150.
function pickInterval(startMs, endMs) {
  const days = (endMs - startMs) / DAY_MS;
  if (days <= 92) return 'DAY';
  if (days <= 732) return 'WEEK';
  if (days <= 366 * 12) return 'MONTH';
  return 'YEAR';
}

function bucketFloor(ms, interval) {
  const d = new Date(ms);
  const y = d.getUTCFullYear(), m = d.getUTCMonth(), day = d.getUTCDate();
  switch (interval) {
    case 'YEAR': return Date.UTC(y, 0, 1);
    case 'MONTH': return Date.UTC(y, m, 1);
    case 'WEEK': return Date.UTC(y, m, day - ((d.getUTCDay() + 6) % 7)); // ISO weeks start on Monday
    default: return Date.UTC(y, m, day);
  }
}

function bucketNext(ms, interval) {
  const d = new Date(ms);
  const y = d.getUTCFullYear(), m = d.getUTCMonth(), day = d.getUTCDate();
  switch (interval) {
    case 'YEAR': return Date.UTC(y + 1, 0, 1);
    case 'MONTH': return Date.UTC(y, m + 1, 1);
    case 'WEEK': return Date.UTC(y, m, day + 7);
    default: return Date.UTC(y, m, day + 1);
  }
}

// histogramRange is the filter's range, with the ends it leaves open taken
// from the first and last matching events: the day of the first's start,
// the day after the last's. Whole days let eventCounts answer from the
// counts the server keeps (by span too) rather than by reading the events.
async function histogramRange(view, filter, signal) {
  let start = view.filter.from ? Date.parse(view.filter.from) : null;
  let end = view.filter.to ? Date.parse(view.filter.to) : null;
  if (start === null || end === null) {
    const data = await gql(Q_EXTENT, { filter }, signal);
    if (!data.first.nodes.length) return null;
    if (start === null) start = bucketFloor(Date.parse(data.first.nodes[0].occurredAt), 'DAY');
    if (end === null) end = bucketFloor(Date.parse(data.last.nodes[0].occurredAt), 'DAY') + DAY_MS;
  }
  return end > start ? { start, end } : null;
}

// countFilter is the filter the histogram counts with: the view's, with
// its time match always given (eventCounts with OVERLAPS would otherwise
// select events by overlap, not as the list does), and with the ends the
// view leaves open closed at the chart's domain (the whole buckets around
// the first and last starts), so that a span reaching past the last start
// does not add buckets the chart has no room for. Whole buckets are whole
// months by MONTH and YEAR, which the server answers from its counts by
// month (at 1M events, 3 ms rather than 46 by day). Closing them selects
// the same events: every event starts in the range, so one that starts in
// (START), or overlaps (OVERLAPS), the open-ended window starts in, or
// overlaps, the closed one. WITHIN with an open end is "starts after from"
// (or "ends before to"), which the closed window would narrow: with an
// open "to" it is START over the range.
/** @param {View} view @param {number[]} domain */
function countFilter(view, domain) {
  const f = view.filter;
  const filter = apiFilter(f);
  filter.from = f.from || isoDate(domain[0]);
  filter.to = f.to || isoDate(domain[1]);
  filter.timeMatch = f.timeMatch === 'WITHIN' && !f.to ? 'START' : f.timeMatch;
  return filter;
}

/** @param {View} view */
export async function loadHistogram(view) {
  const signal = freshSignal('histogram');
  const chart = $('histogram');
  try {
    const range = await histogramRange(view, apiFilter(view.filter), signal);
    if (!range) {
      for (const k of ['from', 'to', 'timeMatch']) delete chart.dataset[k];
      return renderHistogram([], null, 'DAY', null);
    }
    const interval = pickInterval(range.start, range.end);
    const domain = [bucketFloor(range.start, interval), bucketNext(bucketFloor(range.end - 1, interval), interval)];
    const filter = countFilter(view, domain);
    const data = await gql(Q_HISTOGRAM, { filter, interval }, signal);
    // What was asked of eventCounts, so that a reader (or a test) can ask
    // the API the same question.
    chart.dataset.from = filter.from;
    chart.dataset.to = filter.to;
    chart.dataset.timeMatch = filter.timeMatch;
    /** @type {Totals} */
    const totals = { count: 0, fatalities: 0, fatalitiesLow: 0, fatalitiesHigh: 0 };
    for (const b of data.starts) {
      totals.count += b.count;
      totals.fatalities += b.fatalities;
      totals.fatalitiesLow += b.fatalitiesLow;
      totals.fatalitiesHigh += b.fatalitiesHigh;
    }
    renderHistogram(data.spread, totals, interval, domain);
  } catch (err) {
    if (!isAbort(err)) renderHistogram([], null, 'DAY', null, 'The histogram could not be loaded.');
    throw err;
  }
}

// niceMax rounds an axis maximum up so that its four gridlines fall on
// whole, round numbers (counts are integers).
function niceMax(value) {
  const raw = Math.max(1, value) / 4;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = Math.max(1, [1, 2, 5, 10].find((s) => s * mag >= raw) * mag);
  return step * 4;
}

function bucketLabel(ms, interval, withYear) {
  const d = new Date(ms);
  const year = d.getUTCFullYear(), month = MONTHS[d.getUTCMonth()];
  if (interval === 'YEAR') return String(year);
  if (interval === 'MONTH') return withYear ? month + ' ' + year : month;
  return d.getUTCDate() + ' ' + month + (withYear ? ' ' + year : '');
}

function bucketPhrase(ms, interval) {
  const d = new Date(ms);
  const date = d.getUTCDate() + ' ' + MONTHS[d.getUTCMonth()] + ' ' + d.getUTCFullYear();
  switch (interval) {
    case 'YEAR': return String(d.getUTCFullYear());
    case 'MONTH': return MONTHS[d.getUTCMonth()] + ' ' + d.getUTCFullYear();
    case 'WEEK': return 'Week of ' + date;
    default: return date;
  }
}

// deadPhrase is a number of deaths, or their range where the estimates
// disagree: "26 dead", "10–16 dead (12 reported)".
function deadPhrase(fatalities, low, high) {
  const reported = ' (' + fatalities + ' reported)';
  if (low === high) return low + ' dead' + (fatalities === low ? '' : reported);
  return low + '–' + high + ' dead' + reported;
}

function renderHistogram(buckets, totals, interval, domain, emptyText) {
  Object.assign(histogram, { rendered: true, buckets, totals, interval, domain, emptyText });
  const chart = $('histogram');
  // The interval asked of eventCounts, so that a reader (or a test) can
  // ask the API the same question.
  chart.dataset.interval = interval;
  // How many events the bars stand for, each counted once.
  chart.dataset.events = String(totals ? totals.count : 0);
  // Redrawing drops the focused bar: keep the keyboard user's place.
  const focusedStart = chart.contains(document.activeElement) ? /** @type {HTMLElement} */ (document.activeElement).dataset.start : null;
  const width = Math.max(320, $('hist-wrap').clientWidth);
  const height = $('hist-wrap').clientHeight || 150;
  chart.setAttribute('width', width);
  chart.setAttribute('height', height);
  chart.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
  chart.replaceChildren();
  if (!domain || !buckets.length) {
    $('hist-caption').textContent = '';
    chart.append(svg('text', { x: width / 2, y: height / 2, class: 'empty-text', 'text-anchor': 'middle' }, emptyText || 'No events match the filter.'));
    return;
  }
  // Totals count each event once (in the bucket of its start); the bars
  // count an event dated to a span in every bucket it overlaps.
  const noun = INTERVAL_NOUN[interval];
  $('hist-caption').textContent = totals.count + (totals.count === 1 ? ' event, ' : ' events, ') +
    deadPhrase(totals.fatalities, totals.fatalitiesLow, totals.fatalitiesHigh) + ', per ' + noun + ' (UTC). ' +
    'An event dated to a span counts in every ' + noun + ' it overlaps: hatched where it may lie outside the ' + noun + '.';
  const box = { left: 40, right: 46, top: 10, bottom: 22, width, height };
  const scale = histogramScale(buckets, domain, box);
  chart.append(hatchPattern());
  drawAxes(chart, scale, box, interval);
  drawBarParts(chart, buckets, scale, interval);
  drawFatalityLine(chart, buckets, scale, interval);
  drawBars(chart, buckets, scale, interval);
  if (focusedStart) {
    const bars = [...chart.querySelectorAll('rect.bar')];
    (bars.find((b) => b.dataset.start === focusedStart) || bars[0]).focus();
  }
}

function histogramScale(buckets, domain, box) {
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const maxCount = niceMax(Math.max(...buckets.map((b) => b.count)));
  const maxFat = niceMax(Math.max(1, ...buckets.map((b) => Math.max(b.fatalities, b.fatalitiesHigh))));
  return {
    domain, maxCount, maxFat, plotH,
    x: (ms) => box.left + ((ms - domain[0]) / (domain[1] - domain[0])) * plotW,
    yCount: (v) => box.top + plotH - (v / maxCount) * plotH,
    yFat: (v) => box.top + plotH - (v / maxFat) * plotH,
  };
}

function drawAxes(chart, scale, box, interval) {
  const g = svg('g', { class: 'axes', 'aria-hidden': 'true' });
  for (let i = 0; i <= 4; i++) {
    const y = box.top + (scale.plotH * i) / 4;
    g.append(svg('line', { class: 'gridline', x1: box.left, x2: box.width - box.right, y1: y, y2: y }));
    g.append(svg('text', { class: 'tick count', x: box.left - 6, y: y + 4, 'text-anchor': 'end' }, fmtTick(scale.maxCount * (4 - i) / 4)));
    g.append(svg('text', { class: 'tick fat', x: box.width - box.right + 6, y: y + 4 }, fmtTick(scale.maxFat * (4 - i) / 4)));
  }
  // Labels every few buckets, so they never overlap.
  const starts = bucketStarts(scale.domain, interval);
  const slot = scale.x(bucketNext(scale.domain[0], interval)) - scale.x(scale.domain[0]);
  const every = Math.max(1, Math.ceil(LABEL_GAP_PX / Math.max(1, slot)));
  let lastYear = null;
  starts.forEach((ms, i) => {
    if (i % every !== 0) return;
    const year = new Date(ms).getUTCFullYear();
    const label = bucketLabel(ms, interval, year !== lastYear);
    lastYear = year;
    const wide = slot >= 70;
    g.append(svg('text', { class: 'tick', x: wide ? scale.x(ms) + slot / 2 : scale.x(ms) + 2, y: box.height - 6, 'text-anchor': wide ? 'middle' : 'start' }, label));
    g.append(svg('line', { class: 'tick-mark', x1: scale.x(ms), x2: scale.x(ms), y1: box.height - box.bottom, y2: box.height - box.bottom + 4 }));
  });
  chart.append(g);
}

function fmtTick(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function bucketStarts(domain, interval) {
  const out = [];
  for (let ms = domain[0]; ms < domain[1]; ms = bucketNext(ms, interval)) out.push(ms);
  return out;
}

// hatchPattern is the fill of the uncertain parts: light diagonal stripes.
function hatchPattern() {
  return svg('defs', {}, svg('pattern', { id: 'hist-hatch', class: 'hatch', width: 5, height: 5,
    patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
  svg('rect', { class: 'hatch-bg', width: 5, height: 5 }),
  svg('line', { class: 'hatch-line', x1: 0, y1: 0, x2: 0, y2: 5 })));
}

// barBox is where a bucket's bar stands: few buckets make wide slots, so
// bars stay slim, centred in their slot.
function barBox(b, scale, interval) {
  const start = Date.parse(b.start);
  const x0 = scale.x(start), x1 = scale.x(bucketNext(start, interval));
  const w = Math.min(MAX_BAR_PX, Math.max(2, x1 - x0 - (x1 - x0 > 6 ? 2 : 0)));
  return { x: (x0 + x1 - w) / 2, w, y: scale.yCount(b.count), base: scale.yCount(0) };
}

// drawBarParts draws each bar as its certain part (solid, at the base) and
// its uncertain rest (hatched, above); the bars drawn over them take the
// pointer and the focus.
function drawBarParts(chart, buckets, scale, interval) {
  const g = svg('g', { class: 'bar-parts', 'aria-hidden': 'true' });
  for (const b of buckets) {
    const { x, w, y, base } = barBox(b, scale, interval);
    const yCertain = scale.yCount(b.certain);
    if (b.certain > 0) {
      g.append(svg('rect', { class: 'certain', x, y: yCertain, width: w, height: Math.max(1, base - yCertain),
        'data-start': b.start, 'data-count': b.certain }));
    }
    if (b.count > b.certain) {
      g.append(svg('rect', { class: 'uncertain', x, y, width: w, height: Math.max(1, yCertain - y), fill: 'url(#hist-hatch)',
        'data-start': b.start, 'data-count': b.count - b.certain }));
    }
  }
  chart.append(g);
}

function barSummary(b, interval) {
  const noun = INTERVAL_NOUN[interval];
  const spread = b.count - b.certain;
  let events = b.count + (b.count === 1 ? ' event' : ' events');
  if (spread > 0) {
    events += b.certain === 0 ? (b.count === 1 ? ', dated to a span' : ', all dated to spans') : ', ' + spread + ' of them dated to a span';
    events += ' reaching beyond the ' + noun;
  }
  // The dead of an event dated to a span count wherever it does: they
  // may have fallen in any bucket of it.
  const dead = deadPhrase(b.fatalities, b.fatalitiesLow, b.fatalitiesHigh) + (spread > 0 && b.fatalitiesHigh > 0 ? ' among them' : '');
  return bucketPhrase(Date.parse(b.start), interval) + ': ' + events + ', ' + dead;
}

function drawBars(chart, buckets, scale, interval) {
  const g = svg('g', { class: 'bars' });
  for (const b of buckets) {
    const { x, w, y, base } = barBox(b, scale, interval);
    const summary = barSummary(b, interval);
    const rect = svg('rect', {
      class: 'bar', x, y, width: w, height: Math.max(1, base - y),
      'data-start': b.start, 'data-count': b.count, 'data-certain': b.certain, 'data-fatalities': b.fatalities,
      'data-fatalities-low': b.fatalitiesLow, 'data-fatalities-high': b.fatalitiesHigh,
      tabindex: '0', role: 'button', 'aria-label': summary + '. Narrow the range to this ' + INTERVAL_NOUN[interval] + '.',
    }, svg('title', {}, summary));
    rect.addEventListener('click', () => narrowToBucket(b.start));
    rect.addEventListener('keydown', onBarKeydown);
    g.append(rect);
  }
  chart.append(g);
}

// drawFatalityLine spans every bucket of the domain: a bucket the API
// omits had no events, hence no fatalities, and the line drops to zero.
function drawFatalityLine(chart, buckets, scale, interval) {
  const byStart = new Map(buckets.map((b) => [Date.parse(b.start), b.fatalities]));
  const ranges = new Map(buckets.filter((b) => b.fatalitiesLow !== b.fatalitiesHigh).map((b) => [Date.parse(b.start), b]));
  const starts = bucketStarts(scale.domain, interval);
  const half = (ms) => (scale.x(bucketNext(ms, interval)) - scale.x(ms)) / 2;
  const points = starts.map((ms) => [scale.x(ms) + half(ms), scale.yFat(byStart.get(ms) || 0)]);
  const g = svg('g', { class: 'fatalities', 'aria-hidden': 'true' });
  g.append(svg('path', { d: points.map((p, i) => (i ? 'L' : 'M') + p[0].toFixed(1) + ' ' + p[1].toFixed(1)).join(' ') }));
  // Dots only where there is room for them; the line alone reads better.
  if (half(scale.domain[0]) >= 8) {
    starts.forEach((ms, i) => {
      if (byStart.get(ms)) g.append(svg('circle', { cx: points[i][0], cy: points[i][1], r: 3 }));
    });
  }
  // Where the estimates disagree, a whisker from the lowest to the highest.
  const cap = Math.min(4, Math.max(1.5, half(scale.domain[0]) - 1));
  starts.forEach((ms, i) => {
    const b = ranges.get(ms);
    if (!b) return;
    const x = points[i][0], yLow = scale.yFat(b.fatalitiesLow), yHigh = scale.yFat(b.fatalitiesHigh);
    g.append(svg('path', { class: 'range', 'data-start': b.start, 'data-low': b.fatalitiesLow, 'data-high': b.fatalitiesHigh,
      d: 'M' + x.toFixed(1) + ' ' + yLow.toFixed(1) + ' V' + yHigh.toFixed(1) +
        ' M' + (x - cap).toFixed(1) + ' ' + yHigh.toFixed(1) + ' H' + (x + cap).toFixed(1) +
        ' M' + (x - cap).toFixed(1) + ' ' + yLow.toFixed(1) + ' H' + (x + cap).toFixed(1) }));
  });
  chart.append(g);
}

function onBarKeydown(e) {
  const bar = e.currentTarget;
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    narrowToBucket(bar.dataset.start);
  } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
    e.preventDefault();
    const next = e.key === 'ArrowRight' ? bar.nextElementSibling : bar.previousElementSibling;
    if (next) next.focus();
  }
}

// narrowToBucket asks for the range to be the bucket's; the filter keeps
// it within the current range (a week bucket may start before "from").
function narrowToBucket(start) {
  const startMs = Date.parse(start);
  emit('narrow', { from: isoDate(startMs), to: isoDate(bucketNext(startMs, histogram.interval)) });
}

// observeResize redraws the chart when its pane changes size.
export function observeResize() {
  new ResizeObserver(debounce(() => {
    if (histogram.rendered) renderHistogram(histogram.buckets, histogram.totals, histogram.interval, histogram.domain, histogram.emptyText);
  }, 100)).observe($('hist-wrap'));
}
