// @ts-check
// The filter: the view (filter, network centre, depth) this module owns,
// the form that edits it, the URL hash that records it, the event-type
// boxes, and the API filters derived from it.

import { $, el } from './dom.js';
import { humanize } from './format.js';
import { gql, ApiError } from './api.js';
import { Q_EVENT_TYPES } from './queries.js';
import { selectedActors, renderChips, replaceActor } from './actors.js';

/**
 * @typedef {'START' | 'OVERLAPS' | 'WITHIN'} TimeMatch
 * @typedef {{ from: string, to: string, timeMatch: TimeMatch, actors: string[], countries: string[],
 *   types: string[], text: string, order: 'ASC' | 'DESC' }} Filter
 * @typedef {{ filter: Filter, center: string | null, depth: number, nodes: number, asOf: string, hidden: string[],
 *   pinned: string[], expanded: string[], event: string | null, mapBy: MapBy }} View
 * @typedef {'location' | 'participants'} MapBy what the map's countries are shaded by
 */

// Used only when the server refuses introspection (--no-introspection).
const FALLBACK_EVENT_TYPES = ['ATTACK', 'STRIKE', 'CALL', 'MEETING', 'STATEMENT_OF_POLICY', 'PROTEST',
  'SANCTION', 'AGREEMENT', 'CEASEFIRE', 'MOBILIZATION', 'CEREMONY', 'OTHER', 'SUPPORT', 'CONCESSION',
  'COOPERATION', 'AID', 'RETREAT', 'REQUEST', 'ACCUSATION', 'REJECTION', 'THREAT', 'COERCION'];

// The network's sizes: how many nodes it asks for at most. The first view
// asks for 100: a hub's 200 (at 1M events, 199 of its events round it)
// took about 15 % of a dashboard load there, measured against 100 in one
// run, and labels only a few of them; 200 and 400 are a choice away.
const NETWORK_NODES = 100;
const NODE_LIMITS = [50, 100, 200, 400];

/** @type {View} */
const view = {
  filter: emptyFilter(),
  center: null, // the network's centre (global ID) when the user chose one
  depth: 1,
  nodes: NETWORK_NODES, // the most nodes the network asks for
  asOf: '', // the day the network's slider shows it as of, or '' for all dates
  hidden: [], // the network's hidden nodes (IDs; keys have no commas)
  pinned: [], // and its pinned ones, whose places the URL does not keep
  expanded: [], // and its expanded ones, in the order they were expanded
  event: null, // the key of the event whose page is open (event.js)
  mapBy: 'location', // the map's shading: event locations or participants' countries
};

/** @returns {Filter} */
export function emptyFilter() {
  return { from: '', to: '', timeMatch: 'START', actors: [], countries: [], types: [], text: '', order: 'ASC' };
}

// How From and To select items dated to a span (TimeMatch in the schema):
// by its start (the API's default), by any overlap, or only when the whole
// span lies in the range.
const TIME_MATCHES = ['START', 'OVERLAPS', 'WITHIN'];

/**
 * @param {string | null} value
 * @returns {TimeMatch}
 */
function timeMatchOf(value) {
  const v = (value || '').toUpperCase();
  return TIME_MATCHES.includes(v) ? /** @type {TimeMatch} */ (v) : 'START';
}

function parseCountries(text) {
  return text.split(/[\s,;]+/).map((c) => c.trim().toUpperCase()).filter(Boolean);
}

/** @returns {Filter} */
export function readForm() {
  const boxes = document.querySelectorAll('#f-types input[type=checkbox]');
  return {
    from: $('f-from').value,
    to: $('f-to').value,
    timeMatch: timeMatchOf($('f-match').value),
    actors: selectedActors(),
    countries: parseCountries($('f-countries').value),
    types: boxes.length ? [...boxes].filter((b) => b.checked).map((b) => b.value) : view.filter.types,
    text: $('f-text').value.trim(),
    order: $('f-order').value === 'DESC' ? 'DESC' : 'ASC',
  };
}

// rangeError refuses a range that holds no day, To on or before From (the
// range is half-open): the API would answer it with nothing, which reads
// as "no events" rather than as the typing slip it is. Worded as the API
// words a bad field, so that it is shown under To (state.js).
/** @param {Filter} f @returns {ApiError | null} */
export function rangeError(f) {
  if (!f.from || !f.to || f.to > f.from) return null;
  return new ApiError('to: "' + f.to + '" is not after from "' + f.from + '": the range [from, to) holds no day', 'BAD_USER_INPUT');
}

export function writeForm(f) {
  $('f-from').value = f.from;
  $('f-to').value = f.to;
  $('f-match').value = f.timeMatch;
  $('f-countries').value = f.countries.join(', ');
  $('f-text').value = f.text;
  $('f-order').value = f.order;
  for (const box of document.querySelectorAll('#f-types input[type=checkbox]')) box.checked = f.types.includes(box.value);
  renderChips(f.actors);
  $('net-depth').value = String(view.depth);
  $('net-nodes').value = String(view.nodes);
}

function encodeHash() {
  const f = view.filter;
  const p = new URLSearchParams();
  if (f.from) p.set('from', f.from);
  if (f.to) p.set('to', f.to);
  if (f.timeMatch !== 'START') p.set('match', f.timeMatch);
  if (f.actors.length) p.set('actors', f.actors.join(','));
  if (f.countries.length) p.set('countries', f.countries.join(','));
  if (f.types.length) p.set('types', f.types.join(','));
  if (f.text) p.set('text', f.text);
  if (f.order !== 'ASC') p.set('order', f.order);
  if (view.center) p.set('center', view.center);
  if (view.depth !== 1) p.set('depth', String(view.depth));
  if (view.nodes !== NETWORK_NODES) p.set('nodes', String(view.nodes));
  if (view.asOf) p.set('asof', view.asOf);
  if (view.hidden.length) p.set('hide', view.hidden.join(','));
  if (view.pinned.length) p.set('pin', view.pinned.join(','));
  if (view.expanded.length) p.set('expand', view.expanded.join(','));
  if (view.event) p.set('event', view.event);
  if (view.mapBy !== 'location') p.set('map', view.mapBy);
  // Commas need no escaping in a fragment; plain ones keep URLs readable.
  return p.toString().replace(/%2C/gi, ',');
}

export function decodeHash() {
  const p = new URLSearchParams(location.hash.replace(/^#/, ''));
  const list = (name) => (p.get(name) || '').split(',').map((s) => s.trim()).filter(Boolean);
  const date = (name) => (/^\d{4}-\d{2}-\d{2}$/.test(p.get(name) || '') ? p.get(name) : '');
  view.filter = {
    from: date('from'),
    to: date('to'),
    timeMatch: timeMatchOf(p.get('match')),
    actors: list('actors'),
    countries: list('countries').map((c) => c.toUpperCase()),
    types: list('types'),
    text: p.get('text') || '',
    order: p.get('order') === 'DESC' ? 'DESC' : 'ASC',
  };
  view.center = p.get('center') || null;
  view.depth = p.get('depth') === '2' ? 2 : 1;
  view.nodes = nodesOf(p.get('nodes'));
  view.asOf = date('asof');
  view.hidden = list('hide');
  view.pinned = list('pin');
  view.expanded = list('expand');
  view.event = p.get('event') || null;
  view.mapBy = p.get('map') === 'participants' ? 'participants' : 'location';
}

// setHash records the view in the URL without triggering hashchange, so
// that only back/forward and edited URLs go through onHashChange.
export function setHash(push) {
  const hash = encodeHash();
  const url = location.pathname + location.search + '#' + hash;
  if (push && location.hash.replace(/^#/, '') !== hash) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

// apiFilter is the TimelineFilter for the view; EventFilter has the same
// fields, so it serves eventCounts and events too. The time match is left
// out when it is the API's default (START), so that requests stay as they
// were; the histogram, whose eventCounts would otherwise select by its own
// timeMatch, sets it always (see histogram.js).
/**
 * @param {Filter} f
 * @returns {Record<string, any>}
 */
export function apiFilter(f) {
  const out = {};
  if (f.actors.length) out.actors = f.actors;
  if (f.countries.length) out.countries = f.countries;
  if (f.types.length) out.eventTypes = f.types;
  if (f.from) out.from = f.from;
  if (f.to) out.to = f.to;
  if (f.timeMatch !== 'START') out.timeMatch = f.timeMatch;
  if (f.text) out.text = f.text;
  return out;
}

// graphFilter is the GraphFilter for the view: its from/to select edges
// by their instant; GraphFilter has no time match, so the network ignores it.
/** @param {Filter} f */
export function graphFilter(f) {
  const out = {};
  if (f.from) out.from = f.from;
  if (f.to) out.to = f.to;
  return Object.keys(out).length ? out : null;
}

// currentView is the view: read it, and change it only through takeForm,
// setCentre, setDepth, setNodes, setAsOf, setMarks, setEvent, setMapBy and
// decodeHash.
/** @returns {View} */
export function currentView() { return view; }

// takeForm makes the form's values the filter, with no chosen centre (and
// so the network at all dates, nothing hidden, pinned or expanded).
export function takeForm() {
  view.filter = readForm();
  setCentre(null);
}

// setCentre chooses the network's centre, which the slider shows at all
// dates, with nothing hidden, pinned or expanded.
/** @param {string | null} id */
export function setCentre(id) {
  view.center = id;
  view.asOf = '';
  view.hidden = [];
  view.pinned = [];
  view.expanded = [];
}

// setMarks is the network's hidden, pinned and expanded nodes.
/** @param {string[]} hidden @param {string[]} pinned @param {string[]} expanded */
export function setMarks(hidden, pinned, expanded) {
  view.hidden = hidden;
  view.pinned = pinned;
  view.expanded = expanded;
}

// setAsOf is the slider's day ('YYYY-MM-DD'), or '' for all dates.
/** @param {string} day */
export function setAsOf(day) { view.asOf = day; }

/** @param {number} depth */
export function setDepth(depth) { view.depth = depth; }

/** @param {string | null} value */
export function setNodes(value) { view.nodes = nodesOf(value); }

/** @param {string | null} value @returns {number} one of NODE_LIMITS */
function nodesOf(value) {
  const n = Number(value);
  return NODE_LIMITS.includes(n) ? n : NETWORK_NODES;
}

/** @param {string | null} key */
export function setEvent(key) { view.event = key; }
/** @param {MapBy} by */
export function setMapBy(by) { view.mapBy = by; }

export async function loadEventTypes() {
  let names;
  try {
    const data = await gql(Q_EVENT_TYPES, {});
    names = data.__type ? data.__type.enumValues.map((v) => v.name) : FALLBACK_EVENT_TYPES;
  } catch (err) {
    // Introspection may be turned off; the schema's list still works.
    names = FALLBACK_EVENT_TYPES;
  }
  const boxes = names.map((name) => el('label', { className: 'type-pill' },
    el('input', { type: 'checkbox', name: 'types', value: name, checked: view.filter.types.includes(name) }),
    el('span', {}, humanize(name))));
  $('f-types').replaceChildren($('f-types').querySelector('legend'), ...boxes);
}

// suggestInForm puts a suggested value in place of the bad one a field
// error named ('unknown country "UK": did you mean "GB"?'): in the
// countries field, among the actor chips, or as a ticked event type. The
// caller applies the form.
/** @param {{ field: string, bad: string, value: string }} s */
export function suggestInForm({ field, bad, value }) {
  if (field === 'countries') {
    const codes = parseCountries($('f-countries').value);
    const i = codes.indexOf(bad.toUpperCase());
    if (i >= 0) codes[i] = value;
    else if (!codes.includes(value)) codes.push(value);
    $('f-countries').value = [...new Set(codes)].join(', ');
  } else if (field === 'actors') {
    replaceActor(bad, value);
  } else if (field === 'types') {
    for (const box of document.querySelectorAll('#f-types input[type=checkbox]')) {
      if (/** @type {HTMLInputElement} */ (box).value === value) /** @type {HTMLInputElement} */ (box).checked = true;
    }
  }
}
