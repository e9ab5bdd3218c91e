// @ts-check
// The timeline: the list of events and statements for the filter, a page
// at a time, with the live items placed where the API's order puts them.

import { $, el, humanize, formatInstant } from './util.js';
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

function renderItem(item) {
  const isEvent = item.__typename === 'Event';
  const [at, prec] = sortKey(item);
  const li = el('li', {
    className: 'item ' + (isEvent ? 'event' : 'statement'),
    'data-kind': isEvent ? 'EVENT' : 'STATEMENT', 'data-key': item.key, 'data-id': item.id,
    'data-at': at, 'data-prec': prec, tabindex: '-1',
  });
  li.append(itemMeta(item, isEvent));
  if (isEvent) li.append(el('h3', { className: 'title' }, item.title));
  else li.append(el('blockquote', { className: 'quote' }, item.text));
  li.append(isEvent ? eventWho(item) : statementWho(item));
  const where = isEvent ? placeOf(item) : null;
  if (where) li.append(el('p', { className: 'where' }, el('span', { className: 'label' }, 'Where '), where));
  if (item.sources.length) li.append(sourceList(item.sources));
  return li;
}

function itemMeta(item, isEvent) {
  const iso = itemInstant(item);
  const badge = isEvent
    ? el('span', { className: 'badge type-' + item.type.toLowerCase() }, humanize(item.type))
    : el('span', { className: 'badge statement-kind' }, 'Statement · ' + humanize(item.kind));
  const fatal = isEvent && item.fatalities ? el('span', { className: 'fatal' }, item.fatalities + (item.fatalities === 1 ? ' death' : ' deaths')) : null;
  const graphButton = el('button', { type: 'button', className: 'ghost small', 'aria-label': 'Show ' + (isEvent ? item.title : 'the statement by ' + item.speaker.name) + ' in the network' }, 'Network');
  graphButton.addEventListener('click', () => emit('centre', item.id));
  return el('div', { className: 'meta' },
    el('time', { datetime: iso }, formatInstant(iso, item.precision)),
    el('span', { className: 'precision', title: 'Known to the ' + item.precision.toLowerCase() }, item.precision.toLowerCase()),
    badge, fatal, el('span', { className: 'spacer' }), graphButton);
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

function eventWho(item) {
  const byRole = new Map();
  for (const p of item.participants) {
    if (!byRole.has(p.role)) byRole.set(p.role, []);
    byRole.get(p.role).push(p.actor);
  }
  const who = el('p', { className: 'who' }, el('span', { className: 'label' }, 'Who '));
  if (!byRole.size) who.append(el('span', { className: 'muted' }, 'no participants recorded'));
  [...byRole].forEach(([role, actors], i) => {
    who.append(i ? ' · ' : '', el('span', { className: 'role' }, humanize(role) + ': '), ...joinActors(actors));
  });
  return who;
}

function statementWho(item) {
  const who = el('p', { className: 'who' }, el('span', { className: 'label' }, 'Who '), actorButton(item.speaker));
  if (item.deliveredBy) who.append(' (delivered by ', actorButton(item.deliveredBy), ')');
  if (item.addressees.length) who.append(' → ', ...joinActors(item.addressees));
  return who;
}

function placeOf(item) {
  const loc = item.location;
  if (!loc) return null;
  const parts = [loc.place, loc.country && loc.country.name].filter(Boolean);
  return parts.length ? parts.join(', ') : null;
}

function sourceList(sources) {
  return el('ul', { className: 'sources', 'aria-label': 'Sources' }, sources.map((s) => {
    const title = s.title || s.publisher || s.key;
    // The API promises absolute http(s) URLs; check anyway before linking.
    const link = s.url && /^https?:\/\//i.test(s.url)
      ? el('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer' }, title)
      : el('span', {}, title);
    return el('li', {}, link, s.publisher && s.title ? el('span', { className: 'muted' }, ' · ' + s.publisher) : null);
  }));
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
