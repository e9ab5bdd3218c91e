// @ts-check
// The event page: everything about one event, the chain of events that led
// to it and followed it (eventChain, both directions) and the statements
// about it. It is a view inside the dashboard, a <dialog> over the list
// (the rest of the page inert while it is open), opened by the hash's
// event=KEY (filter.js records it beside the
// filter), so a page is a shareable link and Back returns to the list as
// it was.

import { $, el } from './dom.js';
import { humanize, formatSpan, formatDate } from './format.js';
import { gql, freshSignal, isAbort } from './api.js';
import { Q_EVENT_PAGE, Q_EVENT_CHAIN } from './queries.js';
import { currentView, setEvent, setHash } from './filter.js';
import { on, emit, track } from './state.js';
import { renderItem, eventLink, eventFacts, chipList, sourceList, mention, placeOf, figures } from './timeline.js';

/** @typedef {{ truncated: boolean, nodes: any[], edges: { kind: string, role: string, from: { id: string }, to: { id: string } }[] }} Chain */

// How a link reads, from the subject (the event holding it) to the other.
/** @type {Record<string, string>} */
const LINK_VERBS = {
  RESPONSE_TO: 'responded to',
  ESCALATION_OF: 'escalated',
  PART_OF: 'was part of',
  FOLLOWS: 'followed',
};

/** @type {{ key: string | null, opener: HTMLElement | null }} */
const page = { key: null, opener: null };

// setOpen shows or hides the dialog. Not showModal: a modal dialog is the
// same to a user, but the top layer's DevTools events are unknown to the
// browser tests' chromedp, which logs each one; the rest of the page is
// made inert by hand instead, and Escape closes it.
/** @param {HTMLDialogElement} dialog @param {boolean} open */
function setOpen(dialog, open) {
  if (open === dialog.open) return;
  for (const node of document.body.children) {
    if (node !== dialog && node instanceof HTMLElement && node.tagName !== 'SCRIPT') node.inert = open;
  }
  if (open) {
    page.opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.show();
    $('event-close').focus();
  } else {
    dialog.close();
    if (page.opener && page.opener.isConnected) page.opener.focus({ preventScroll: true });
    page.opener = null;
  }
}

/**
 * showEvent opens the page of the event with that key, or closes the page
 * when key is null. The view's hash already says so (the caller set it).
 * @param {string | null} key
 */
export function showEvent(key) {
  const dialog = /** @type {HTMLDialogElement} */ ($('event-page'));
  if (!key) {
    page.key = null;
    freshSignal('event-page'); // abandons a page still loading
    setOpen(dialog, false);
    return;
  }
  setOpen(dialog, true);
  if (page.key === key) return;
  page.key = key;
  dialog.dataset.key = key;
  dialog.dataset.state = 'loading';
  $('event-page-body').replaceChildren(el('p', { className: 'muted' }, 'Loading…'));
  $('event-page').scrollTop = 0;
  track('Event page', () => loadEvent(key));
}

/** @param {string} key */
async function loadEvent(key) {
  const signal = freshSignal('event-page');
  let data, chain = null, chainError = null;
  try {
    const [d, c] = await Promise.all([
      gql(Q_EVENT_PAGE, { key }, signal),
      gql(Q_EVENT_CHAIN, { event: 'event:' + key }, signal).catch((err) => {
        if (isAbort(err)) throw err;
        chainError = err;
        return null;
      }),
    ]);
    data = d;
    chain = c;
  } catch (err) {
    if (!isAbort(err) && page.key === key) {
      $('event-page-body').replaceChildren(el('p', { className: 'field-error' }, 'The event could not be loaded: ' + err.message));
      $('event-page').dataset.state = 'error';
    }
    throw err;
  }
  if (page.key !== key) return;
  const body = $('event-page-body');
  if (!data.event) {
    $('event-title').textContent = 'No such event';
    body.replaceChildren(el('p', { className: 'muted' }, 'No event has the key “' + key + '”.'));
  } else {
    $('event-title').textContent = data.event.title;
    body.replaceChildren(...renderPage(data.event, chain, chainError));
  }
  $('event-page').dataset.state = 'ready';
  // A followed link went with the old content: start at the top again.
  if (!$('event-page').contains(document.activeElement)) $('event-close').focus();
}

/** @param {any} ev @param {{ backward: Chain, forward: Chain } | null} chain @param {any} chainError */
function renderPage(ev, chain, chainError) {
  const out = [];
  out.push(el('div', { className: 'meta' },
    el('time', { datetime: ev.occurredAt, className: 'span' }, formatSpan(ev.when)),
    el('span', { className: 'precision' }, ev.when.precision.toLowerCase()),
    el('span', { className: 'badge type-' + ev.type.toLowerCase() }, humanize(ev.type)),
    figures(ev), el('span', { className: 'spacer' }), networkButton(ev)));
  if (ev.summary) out.push(el('p', { className: 'summary' }, ev.summary));
  if (ev.tags.length) out.push(chipList('tags', 'Tags', ev.tags));

  const facts = el('dl', { className: 'facts' },
    el('dt', {}, 'Key'), el('dd', {}, el('code', {}, ev.key)),
    el('dt', {}, 'When'), el('dd', {}, formatSpan(ev.when),
      el('span', { className: 'muted' }, ' (' + ev.when.earliest + ' until before ' + ev.when.latest + ')')));
  const where = placeOf(ev);
  if (where) facts.append(el('dt', {}, 'Where'), el('dd', { className: 'where' }, where));
  const more = eventFacts(ev);
  if (more) facts.append(...more.list.childNodes);
  facts.append(el('dt', {}, 'Recorded'), el('dd', { className: 'muted' },
    'first stored ' + formatDate(ev.createdAt, 'MINUTE') + ', last changed ' + formatDate(ev.updatedAt, 'MINUTE')));
  out.push(section('ev-facts', 'Facts', facts));

  out.push(section('ev-participants', 'Participants', ev.participants.length
    ? el('table', { className: 'participants' },
      el('thead', {}, el('tr', {}, ['Role', 'Actor', 'Named in the source as', 'Kind', 'Country'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ev.participants.map((p) => el('tr', { 'data-key': p.actor.key },
        el('td', {}, humanize(p.role)), el('td', {}, actorButton(p.actor)), el('td', { className: 'as' }, p.as || ''),
        el('td', {}, humanize(p.actor.kind)), el('td', {}, p.actor.country ? p.actor.country.name : '')))))
    : el('p', { className: 'muted' }, 'No participants recorded.')));

  out.push(section('ev-chain', 'Chain of events', chain
    ? [chainPart('backward', 'What led to it', chain.backward, ev.key), chainPart('forward', 'What followed', chain.forward, ev.key)]
    : el('p', { className: 'field-error' }, 'The chain could not be loaded: ' + (chainError ? chainError.message : 'no answer'))));

  out.push(section('ev-statements', 'Statements about it (' + ev.statements.length + ')', ev.statements.length
    ? el('ol', { className: 'statements' }, ev.statements.map((s) => renderItem(s)))
    : el('p', { className: 'muted' }, 'No statements speak of this event.')));

  out.push(section('ev-sources', 'Sources', ev.sources.length
    ? el('ul', { className: 'source-details' }, ev.sources.map((s) => el('li', { 'data-key': s.key },
      sourceList([s]).firstChild,
      s.author ? el('span', { className: 'muted' }, ' · ' + s.author) : null,
      s.publishedAt ? el('span', { className: 'muted' }, ' · published ' + formatDate(s.publishedAt, s.publishedPrecision || 'DAY')) : null)))
    : el('p', { className: 'muted' }, 'No sources.')));
  return out;
}

/** @param {string} id @param {string} title @param {any} content */
function section(id, title, content) {
  return el('section', { className: 'ev-section', id, 'aria-labelledby': id + '-h' }, el('h3', { id: id + '-h' }, title), content);
}

// A node shown in the network closes the page, which covers the network.
function actorButton(actor) {
  const b = el('button', { type: 'button', className: 'actor-link', 'data-id': actor.id, title: 'Show ' + actor.name + ' in the network' }, actor.name);
  b.addEventListener('click', () => emit('centre', actor.id));
  return b;
}

/** @param {any} ev */
function networkButton(ev) {
  const b = el('button', { type: 'button', className: 'ghost small' }, 'Show in the network');
  b.addEventListener('click', () => emit('centre', ev.id));
  return b;
}

// chainPart lists one direction's links in the API's order (by distance
// from the event), each as "A (date) responded to B (date)".
/** @param {string} dir @param {string} title @param {Chain} chain @param {string} key */
function chainPart(dir, title, chain, key) {
  const byId = new Map(chain.nodes.map((n) => [n.id, n]));
  const node = (id) => {
    const n = byId.get(id);
    if (!n) return el('span', { className: 'muted' }, id);
    if (n.key === key) return el('strong', { className: 'chain-event self', 'data-key': n.key, title: n.title }, 'this event');
    return el('span', { className: 'chain-event', 'data-key': n.key }, eventLink(n),
      el('span', { className: 'muted' }, ' (' + formatSpan(n.when) + ')'));
  };
  const rows = chain.edges.map((e) => {
    const from = byId.get(e.from.id), to = byId.get(e.to.id);
    return el('li', { 'data-from': from ? from.key : e.from.id, 'data-kind': e.role, 'data-to': to ? to.key : e.to.id },
      node(e.from.id), ' ', el('span', { className: 'link-kind' }, LINK_VERBS[e.role] || humanize(e.role || e.kind)), ' ', node(e.to.id));
  });
  return el('div', { className: 'chain ' + dir, 'data-dir': dir },
    el('h4', {}, title + ' (' + chain.edges.length + (chain.edges.length === 1 ? ' link' : ' links') + ')'),
    rows.length ? el('ol', { className: 'chain-links' }, rows) : el('p', { className: 'muted' }, 'Nothing recorded.'),
    chain.truncated ? el('p', { className: 'muted' }, 'The API cut the chain short (too many events); these are the nearest.') : null);
}

// open records the event in the hash as a new history entry, so Back
// returns to what was shown before, and shows it.
/** @param {string} key */
function open(key) {
  setEvent(key);
  setHash(true);
  showEvent(key);
}

// close goes back to the list: a new history entry, so Back reopens the page.
function close() {
  if (!currentView().event) return;
  setEvent(null);
  setHash(true);
  showEvent(null);
}

// bindEventPage wires the close button and Escape.
export function bindEventPage() {
  const dialog = $('event-page');
  $('event-close').addEventListener('click', close);
  document.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    if (e.key === 'Escape' && dialog.open && !e.defaultPrevented) { e.preventDefault(); close(); }
  });
}

on('open-event', open);
on('centre', close);
