// @ts-check
// The timeline: the list of events and statements for the filter, a page
// at a time, with the live items placed where the API's order puts them.

import { $, el } from './dom.js';
import { humanize, formatSpan, formatDate, figureRange, rangeText } from './format.js';
import { gql, freshSignal, isAbort } from './api.js';
import { Q_TIMELINE, Q_TOTAL } from './queries.js';
import { apiFilter, currentView } from './filter.js';
import { on, emit, track } from './state.js';

/** @typedef {import('./filter.js').View} View */
/** @typedef {{ __typename: string, id: string, key: string, precision: string, [field: string]: any }} Item */

const PAGE_SIZE = 50;
const PRECISION_RANK = { YEAR: 0, MONTH: 1, DAY: 2, MINUTE: 3, SECOND: 4 };

// items: id -> <li>; held: live items that arrived while the first page
// was loading, placed once it is shown (clearing the list would lose them).
/** @type {{ cursor: string | null, hasNext: boolean, loadingMore: boolean, loadingFirst: boolean, items: Map<string, HTMLElement>, held: Item[] }} */
const timeline = { cursor: null, hasNext: false, loadingMore: false, loadingFirst: false, items: new Map(), held: [] };

function itemInstant(item) { return item.__typename === 'Event' ? item.occurredAt : item.madeAt; }

// sortKey mirrors the API's timeline order: instant, precision (coarser
// first), key, then events before statements.
function sortKey(item) {
  return [Date.parse(itemInstant(item)), PRECISION_RANK[item.precision], item.key, item.__typename === 'Event' ? 0 : 1];
}

function compareKeys(a, b) {
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return 0;
}

/**
 * loadFirstPage shows the first page for the view, and resolves to its items.
 * @param {View} view
 */
export async function loadFirstPage(view) {
  const signal = freshSignal('timeline');
  // No "load more" on the old list's cursor while the new list loads.
  timeline.loadingMore = false;
  timeline.hasNext = false;
  timeline.loadingFirst = true;
  $('more').hidden = true;
  let data;
  try {
    data = await gql(Q_TIMELINE, {
      filter: apiFilter(view.filter), order: view.filter.order, first: PAGE_SIZE, after: null, withTotal: true,
    }, signal);
  } catch (err) {
    // The old list no longer answers the filter: do not leave it up.
    if (!isAbort(err)) {
      timeline.loadingFirst = false;
      timeline.held = [];
      showListFailure();
    }
    throw err;
  }
  timeline.loadingFirst = false;
  clearTimeline();
  $('timeline-empty').textContent = 'No items match the filter.';
  setTotal(data.timeline.totalCount);
  appendPage(data.timeline);
  timeline.held.splice(0).forEach(placeLive);
  $('timeline-scroll').scrollTop = 0;
  emit('page-shown');
  return data.timeline.nodes;
}

export async function loadMore() {
  const view = currentView();
  if (timeline.loadingMore || !timeline.hasNext) return;
  timeline.loadingMore = true;
  $('more').disabled = true;
  $('more').textContent = 'Loading…';
  const signal = freshSignal('timeline');
  try {
    const data = await gql(Q_TIMELINE, {
      filter: apiFilter(view.filter), order: view.filter.order, first: PAGE_SIZE, after: timeline.cursor, withTotal: false,
    }, signal);
    appendPage(data.timeline);
  } finally {
    timeline.loadingMore = false;
    $('more').disabled = false;
    $('more').textContent = 'Load ' + PAGE_SIZE + ' more';
  }
}

function showListFailure() {
  clearTimeline();
  setTotal(0);
  $('timeline-empty').textContent = 'The timeline could not be loaded: see the message at the top.';
  updateListFooter();
}

function clearTimeline() {
  $('timeline').replaceChildren();
  timeline.items.clear();
  emit('items-cleared');
}

function setTotal(n) {
  $('timeline-total').textContent = String(n);
  $('timeline-total-label').textContent = n === 1 ? 'item' : 'items';
}

function appendPage(conn) {
  const list = $('timeline');
  for (const item of conn.nodes) {
    // A live update may already have placed this item.
    if (timeline.items.has(item.id)) continue;
    const li = renderItem(item);
    timeline.items.set(item.id, li);
    list.append(li);
    emit('item-shown', item);
  }
  timeline.cursor = conn.pageInfo.endCursor || timeline.cursor;
  timeline.hasNext = conn.pageInfo.hasNextPage;
  updateListFooter();
}

function updateListFooter() {
  $('more').hidden = !timeline.hasNext;
  $('timeline-empty').hidden = timeline.items.size > 0;
}

// renderItem is an item's card: what an analyst scans for on top (when,
// what, who, where, how many dead), the rest behind a <details>.
/** @param {Item} item @returns {HTMLElement} */
export function renderItem(item) {
  const isEvent = item.__typename === 'Event';
  const [at, prec] = sortKey(item);
  const li = el('li', {
    className: 'item ' + (isEvent ? 'event' : 'statement'),
    'data-kind': isEvent ? 'EVENT' : 'STATEMENT', 'data-key': item.key, 'data-id': item.id,
    'data-at': at, 'data-prec': prec, tabindex: '-1',
  });
  li.append(itemMeta(item, isEvent));
  if (isEvent) li.append(el('h3', { className: 'title' }, eventLink(item)));
  else li.append(el('blockquote', { className: 'quote' }, item.text));
  if (item.summary) li.append(el('p', { className: 'summary' }, item.summary));
  li.append(isEvent ? eventWho(item) : statementWho(item));
  if (isEvent) {
    const where = placeOf(item);
    if (where) li.append(el('p', { className: 'where' }, el('span', { className: 'label' }, 'Where '), where));
    if (item.tags.length) li.append(chipList('tags', 'Tags', item.tags));
  } else {
    if (item.stances.length) li.append(chipList('stances', 'Stances', item.stances.map(humanize)));
    if (item.about.length) li.append(aboutLine(item.about));
  }
  const facts = isEvent ? eventFacts(item) : null;
  if (facts) {
    li.append(el('details', { className: 'more' },
      el('summary', {}, 'Details: ' + facts.names.join(', ')), facts.list));
  }
  if (item.sources.length) li.append(sourceList(item.sources));
  return li;
}

// eventLink is an event's title as a link to its page (#event=KEY, which
// event.js opens); a plain click opens it in place, keeping the filter.
/** @param {{ key: string, [field: string]: any }} event an event with its key and title */
export function eventLink(event) {
  const a = el('a', { className: 'event-link', href: '#event=' + encodeURIComponent(event.key), 'data-key': event.key }, event.title);
  a.addEventListener('click', (/** @type {MouseEvent} */ e) => {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    emit('open-event', event.key);
  });
  return a;
}

/** @param {Item} item */
function itemMeta(item, isEvent) {
  const iso = itemInstant(item);
  const badge = isEvent
    ? el('span', { className: 'badge type-' + item.type.toLowerCase() }, humanize(item.type))
    : el('span', { className: 'badge statement-kind' }, 'Statement · ' + humanize(item.kind));
  const graphButton = el('button', { type: 'button', className: 'ghost small', 'aria-label': 'Show ' + (isEvent ? item.title : 'the statement by ' + item.speaker.name) + ' in the network' }, 'Network');
  graphButton.addEventListener('click', () => emit('centre', item.id));
  return el('div', { className: 'meta' },
    el('time', { datetime: iso, className: 'span', title: spanTitle(item) }, formatSpan(item.when)),
    el('span', { className: 'precision', title: 'Known to the ' + item.when.precision.toLowerCase() }, item.when.precision.toLowerCase()),
    badge, isEvent ? figures(item) : null, el('span', { className: 'spacer' }), graphButton);
}

// spanTitle says what the span is, for a pointer's hover.
/** @param {Item} item */
function spanTitle(item) {
  return 'From ' + item.when.earliest + ' until before ' + item.when.latest + ' (UTC)';
}

// figures are the dead and the injured, as a range where the estimates
// disagree ("20–48 dead").
/** @param {Item} item */
export function figures(item) {
  const out = [];
  const dead = figureRange(item.estimates, 'FATALITIES', item.fatalities);
  if (dead && dead.high > 0) out.push(el('span', { className: 'fatal', title: figureTitle(item, 'FATALITIES', item.fatalities) }, rangeText(dead) + ' dead'));
  const hurt = figureRange(item.estimates, 'INJURED', item.injured);
  if (hurt && hurt.high > 0) out.push(el('span', { className: 'injured', title: figureTitle(item, 'INJURED', item.injured) }, rangeText(hurt) + ' injured'));
  return out;
}

/** @param {Item} item @param {string} measure @param {number | null} reported */
function figureTitle(item, measure, reported) {
  const parts = reported === null ? [] : ['reported: ' + reported];
  for (const e of item.estimates) if (e.measure === measure) parts.push(estimateText(e));
  return parts.join('; ');
}

/** @param {any} e */
function estimateText(e) {
  const figs = [['low', e.low], ['best', e.best], ['high', e.high]].filter(([, v]) => v !== null).map(([n, v]) => n + ' ' + v);
  return figs.join(', ') + (e.source ? ' (' + (e.source.title || e.source.key) + ')' : '');
}

// eventFacts are what a card keeps behind its <details>, and the event
// page shows open: the end, the figures and their estimates, the codes,
// the intensity, the coordinates. Null when the event has none of them.
/** @param {Item} item @returns {{ names: string[], list: HTMLElement } | null} */
export function eventFacts(item) {
  const names = [];
  const list = el('dl', { className: 'facts' });
  const add = (name, label, ...value) => {
    names.push(name);
    list.append(el('dt', {}, label), el('dd', {}, ...value));
  };
  if (item.endedAt) add('end', 'Ended', el('time', { datetime: item.endedAt, className: 'ended' }, formatDate(item.endedAt, item.endedPrecision)));
  if (item.fatalities !== null) add('fatalities', 'Fatalities reported', el('span', { className: 'reported-fatalities' }, String(item.fatalities)));
  if (item.injured !== null) add('injuries', 'Injured reported', el('span', { className: 'reported-injured' }, String(item.injured)));
  if (item.estimates.length) add(item.estimates.length === 1 ? 'estimate' : item.estimates.length + ' estimates', 'Estimates', estimateTable(item.estimates));
  if (item.codes.length) {
    add(item.codes.length === 1 ? 'code' : item.codes.length + ' codes', 'Codes', el('ul', { className: 'codes' }, item.codes.map((c) =>
      el('li', { 'data-code': c.scheme + ':' + c.code }, el('code', {}, c.scheme + ':' + c.code), c.label ? ' ' + c.label : null))));
  }
  if (item.intensity !== null) add('intensity', 'Intensity', el('span', { className: 'intensity', title: 'Goldstein scale, -10 to 10' }, String(item.intensity)));
  const loc = item.location;
  if (loc && loc.lat !== null && loc.lon !== null) add('coordinates', 'Coordinates', el('span', { className: 'coordinates' }, loc.lat + ', ' + loc.lon));
  return names.length ? { names, list } : null;
}

/** @param {any[]} estimates */
function estimateTable(estimates) {
  const num = (v) => el('td', { className: 'num' }, v === null ? '–' : String(v));
  return el('table', { className: 'estimates' },
    el('thead', {}, el('tr', {}, ['What', 'Low', 'Best', 'High', 'Source', 'Note'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, estimates.map((e) => el('tr', { 'data-measure': e.measure },
      el('td', {}, e.measure === 'FATALITIES' ? 'Dead' : 'Injured'), num(e.low), num(e.best), num(e.high),
      el('td', { className: 'estimate-source' }, e.source ? sourceLink(e.source) : '–'),
      el('td', { className: 'note' }, e.note || '')))));
}

/** @param {string} className @param {string} label @param {string[]} values */
export function chipList(className, label, values) {
  return el('ul', { className: 'chip-list ' + className, 'aria-label': label }, values.map((v) => el('li', {}, v)));
}

/** @param {{ key: string, title: string }[]} events */
function aboutLine(events) {
  const p = el('p', { className: 'about' }, el('span', { className: 'label' }, 'About '));
  events.forEach((e, i) => p.append(i ? ' · ' : '', eventLink(e)));
  return p;
}

function actorButton(actor) {
  const b = el('button', { type: 'button', className: 'actor-link', 'data-id': actor.id, title: 'Show ' + actor.name + ' in the network' }, actor.name);
  b.addEventListener('click', () => emit('centre', actor.id));
  return b;
}

// joinActors renders "A, B" with each actor a button.
function joinActors(actors) {
  return actors.flatMap((a, i) => (i ? [', ', actorButton(a)] : [actorButton(a)]));
}

// mention is how the source named a participant, when it differs from
// the actor's name: South Africa (as “Government of South Africa”).
/** @param {{ as: string | null, actor: { name: string } }} p */
export function mention(p) {
  return p.as && p.as !== p.actor.name ? el('span', { className: 'as', title: 'How the source named the actor' }, ' (as “' + p.as + '”)') : null;
}

function eventWho(item) {
  const byRole = new Map();
  for (const p of item.participants) {
    if (!byRole.has(p.role)) byRole.set(p.role, []);
    byRole.get(p.role).push(p);
  }
  const who = el('p', { className: 'who' }, el('span', { className: 'label' }, 'Who '));
  if (!byRole.size) who.append(el('span', { className: 'muted' }, 'no participants recorded'));
  [...byRole].forEach(([role, ps], i) => {
    who.append(i ? ' · ' : '', el('span', { className: 'role' }, humanize(role) + ': '),
      ...ps.flatMap((p, j) => [j ? ', ' : '', el('span', { className: 'participant', 'data-key': p.actor.key }, actorButton(p.actor), mention(p))]));
  });
  return who;
}

function statementWho(item) {
  const who = el('p', { className: 'who' }, el('span', { className: 'label' }, 'Who '), actorButton(item.speaker));
  if (item.coSpeakers.length) who.append(' with ', ...joinActors(item.coSpeakers));
  if (item.deliveredBy) who.append(' (delivered by ', actorButton(item.deliveredBy), ')');
  if (item.addressees.length) who.append(' → ', ...joinActors(item.addressees));
  return who;
}

export function placeOf(item) {
  const loc = item.location;
  if (!loc) return null;
  const parts = [loc.place, loc.country && loc.country.name].filter(Boolean);
  return parts.length ? parts.join(', ') : null;
}

/** @param {{ key: string, title: string | null, url: string | null, publisher: string | null }} s */
function sourceLink(s) {
  const title = s.title || s.publisher || s.key;
  // The API promises absolute http(s) URLs; check anyway before linking.
  return s.url && /^https?:\/\//i.test(s.url)
    ? el('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer' }, title)
    : el('span', {}, title);
}

export function sourceList(sources) {
  return el('ul', { className: 'sources', 'aria-label': 'Sources' }, sources.map((s) =>
    el('li', { 'data-key': s.key }, sourceLink(s), s.publisher && s.title ? el('span', { className: 'muted' }, ' · ' + s.publisher) : null)));
}

// focusItem brings a list item into view, e.g. from a map marker.
function focusItem(id) {
  const li = timeline.items.get(id);
  if (!li) return;
  for (const other of document.querySelectorAll('#timeline .item.focused')) other.classList.remove('focused');
  li.classList.add('focused');
  li.scrollIntoView({ block: 'center', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
  li.focus({ preventScroll: true });
}

// dropHeld forgets the live items held for a first page: a new filter's
// first page is not theirs.
export function dropHeld() { timeline.held = []; }

// placeLive places a live item and tells how.
/** @param {Item} item */
function placeLive(item) {
  emit('live-placed', placeLiveItem(item));
}

// placeLiveItem puts an item where the API's order puts it among the
// loaded ones; an item past the last loaded one waits for "load more".
// It reports whether the item replaced one already shown.
function placeLiveItem(item) {
  const existing = timeline.items.get(item.id);
  if (existing) {
    existing.remove();
    timeline.items.delete(item.id);
    emit('item-removed', item.id);
  }
  const li = renderItem(item);
  li.classList.add('new');
  li.querySelector('.meta').prepend(el('span', { className: 'badge new-badge' }, existing ? 'Updated' : 'New'));
  const dir = currentView().filter.order === 'DESC' ? -1 : 1;
  const key = sortKey(item);
  const before = [...$('timeline').children].find((other) => dir * compareKeys(key, liSortKey(other)) < 0);
  if (before) $('timeline').insertBefore(li, before);
  else if (!timeline.hasNext) $('timeline').append(li);
  else return Boolean(existing);
  timeline.items.set(item.id, li);
  emit('item-shown', item);
  updateListFooter();
  return Boolean(existing);
}

function liSortKey(li) {
  return [Number(li.dataset.at), Number(li.dataset.prec), li.dataset.key, li.dataset.kind === 'EVENT' ? 0 : 1];
}

export async function refreshTotal() {
  const view = currentView();
  const data = await gql(Q_TOTAL, { filter: apiFilter(view.filter) }, freshSignal('total'));
  setTotal(data.timeline.totalCount);
}

// bindTimeline loads more on the button.
export function bindTimeline() {
  $('more').addEventListener('click', () => track('Timeline', loadMore));
}

// observeScroll is the infinite scroll: the "load more" button loads
// itself when scrolled to.
export function observeScroll() {
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && !timeline.loadingMore && timeline.hasNext) track('Timeline', loadMore);
  }, { root: $('timeline-scroll'), rootMargin: '200px' }).observe($('more'));
}

on('live-item', (item) => {
  if (timeline.loadingFirst) timeline.held.push(item);
  else placeLive(item);
});
on('focus-item', focusItem);
