// @ts-check
// The histogram: events and fatalities per day, week, month or year over
// the filter's range, as an SVG chart whose bars narrow the range.

import { $, svg, isoDate, debounce, DAY_MS, MONTHS } from './util.js';
import { gql, freshSignal, isAbort } from './api.js';
import { Q_EXTENT, Q_COUNTS } from './queries.js';
import { apiFilter } from './filter.js';
import { emit } from './state.js';

/** @typedef {import('./filter.js').View} View */
/** @typedef {{ start: string, key: string | null, count: number, fatalities: number }} Bucket */

/** @type {{ rendered: boolean, buckets: Bucket[], interval: string, domain: number[] | null, emptyText: string | null | undefined }} */
const histogram = { rendered: false, buckets: [], interval: 'DAY', domain: null, emptyText: null };

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
// from the first and last matching events.
async function histogramRange(view, filter, signal) {
  let start = view.filter.from ? Date.parse(view.filter.from) : null;
  let end = view.filter.to ? Date.parse(view.filter.to) : null;
  if (start === null || end === null) {
    const data = await gql(Q_EXTENT, { filter }, signal);
    if (!data.first.nodes.length) return null;
    if (start === null) start = Date.parse(data.first.nodes[0].occurredAt);
    if (end === null) end = Date.parse(data.last.nodes[0].occurredAt) + 1;
  }
  return end > start ? { start, end } : null;
}

/** @param {View} view */
export async function loadHistogram(view) {
  const signal = freshSignal('histogram');
  const filter = apiFilter(view.filter);
  try {
    const range = await histogramRange(view, filter, signal);
    if (!range) return renderHistogram([], 'DAY', null);
    const interval = pickInterval(range.start, range.end);
    const data = await gql(Q_COUNTS, { filter, interval, groupBy: 'NONE' }, signal);
    const domain = [bucketFloor(range.start, interval), bucketNext(bucketFloor(range.end - 1, interval), interval)];
    renderHistogram(data.eventCounts, interval, domain);
  } catch (err) {
    if (!isAbort(err)) renderHistogram([], 'DAY', null, 'The histogram could not be loaded.');
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

function renderHistogram(buckets, interval, domain, emptyText) {
  Object.assign(histogram, { rendered: true, buckets, interval, domain, emptyText });
  const chart = $('histogram');
  // The interval asked of eventCounts, so that a reader (or a test) can
  // ask the API the same question.
  chart.dataset.interval = interval;
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
  const total = buckets.reduce((n, b) => n + b.count, 0);
  const deaths = buckets.reduce((n, b) => n + b.fatalities, 0);
  $('hist-caption').textContent = total + ' events, ' + deaths + ' fatalities, per ' + INTERVAL_NOUN[interval] + ' (UTC).';
  const box = { left: 40, right: 46, top: 10, bottom: 22, width, height };
  const scale = histogramScale(buckets, domain, box);
  drawAxes(chart, scale, box, interval);
  drawBars(chart, buckets, scale, interval);
  drawFatalityLine(chart, buckets, scale, interval);
  if (focusedStart) {
    const bars = [...chart.querySelectorAll('rect.bar')];
    (bars.find((b) => b.dataset.start === focusedStart) || bars[0]).focus();
  }
}

function histogramScale(buckets, domain, box) {
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const maxCount = niceMax(Math.max(...buckets.map((b) => b.count)));
  const maxFat = niceMax(Math.max(1, ...buckets.map((b) => b.fatalities)));
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

function drawBars(chart, buckets, scale, interval) {
  const g = svg('g', { class: 'bars' });
  for (const b of buckets) {
    const start = Date.parse(b.start);
    const x0 = scale.x(start), x1 = scale.x(bucketNext(start, interval));
    // Few buckets make wide slots: keep bars slim, centred in their slot.
    const w = Math.min(MAX_BAR_PX, Math.max(2, x1 - x0 - (x1 - x0 > 6 ? 2 : 0)));
    const y = scale.yCount(b.count);
    const phrase = bucketPhrase(start, interval);
    const summary = phrase + ': ' + b.count + (b.count === 1 ? ' event, ' : ' events, ') + b.fatalities + (b.fatalities === 1 ? ' fatality' : ' fatalities');
    const rect = svg('rect', {
      class: 'bar', x: (x0 + x1 - w) / 2, y, width: w, height: Math.max(1, scale.yCount(0) - y),
      'data-start': b.start, 'data-count': b.count, 'data-fatalities': b.fatalities,
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
    if (histogram.rendered) renderHistogram(histogram.buckets, histogram.interval, histogram.domain, histogram.emptyText);
  }, 100)).observe($('hist-wrap'));
}
