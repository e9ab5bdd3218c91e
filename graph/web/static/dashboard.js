// The analyst dashboard: a filter bar, a histogram of events over time, the
// timeline list, the neighbourhood of one node as a network, a map, and live
// updates. It talks only to the public GraphQL API (POST /graphql and
// graphql-ws on the same path), like any other client.
(function () {
  'use strict';

  const PAGE_SIZE = 50;
  const NETWORK_LIMIT = 60;
  const DAY_MS = 86400000;
  const LIVE_REFRESH_MS = 1000;
  const LIVE_MAX_BACKOFF_MS = 30000;
  // Used only when the server refuses introspection (--no-introspection).
  const FALLBACK_EVENT_TYPES = ['ATTACK', 'STRIKE', 'CALL', 'MEETING', 'STATEMENT_OF_POLICY', 'PROTEST',
    'SANCTION', 'AGREEMENT', 'CEASEFIRE', 'MOBILIZATION', 'CEREMONY', 'OTHER', 'SUPPORT', 'CONCESSION',
    'COOPERATION', 'AID', 'RETREAT', 'REQUEST', 'ACCUSATION', 'REJECTION', 'THREAT', 'COERCION'];
  const PRECISION_RANK = { YEAR: 0, MONTH: 1, DAY: 2, MINUTE: 3, SECOND: 4 };
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------- queries

  const ITEM_FRAGMENTS = `
fragment EventFields on Event {
  id key type title occurredAt precision fatalities
  location { place lat lon country { code name } }
  participants { role actor { id key name } }
  sources { key title url publisher }
}
fragment StatementFields on Statement {
  id key kind madeAt precision text
  speaker { id key name } deliveredBy { id key name } addressees { id key name }
  sources { key title url publisher }
}`;

  const Q_TIMELINE = `query Timeline($filter: TimelineFilter, $order: SortOrder, $first: Int!, $after: String, $withTotal: Boolean!) {
  timeline(filter: $filter, order: $order, first: $first, after: $after) {
    totalCount @include(if: $withTotal)
    pageInfo { hasNextPage endCursor }
    nodes { __typename ...EventFields ...StatementFields }
  }
}` + ITEM_FRAGMENTS;

  const Q_TOTAL = `query TimelineTotal($filter: TimelineFilter) {
  timeline(filter: $filter, first: 0) { totalCount }
}`;

  const Q_EXTENT = `query EventExtent($filter: EventFilter) {
  first: events(filter: $filter, first: 1) { nodes { occurredAt } }
  last: events(filter: $filter, order: DESC, first: 1) { nodes { occurredAt } }
}`;

  const Q_COUNTS = `query EventCounts($filter: EventFilter, $interval: Interval!, $groupBy: CountGroup) {
  eventCounts(filter: $filter, interval: $interval, groupBy: $groupBy) { start key count fatalities }
}`;

  const Q_NEIGHBORHOOD = `query Neighborhood($id: ID!, $depth: Int!, $limit: Int!, $filter: GraphFilter) {
  neighborhood(id: $id, depth: $depth, limit: $limit, filter: $filter) {
    truncated
    nodes {
      __typename id
      ... on Actor { name actorKind: kind }
      ... on Country { name code }
      ... on Event { title type }
      ... on Statement { statementKind: kind speaker { name } }
    }
    edges { kind role from { id } to { id } }
  }
}`;

  const Q_SEARCH = `query ActorSearch($text: String!) {
  search(text: $text, first: 20) { node { __typename ... on Actor { id key name kind } } }
}`;

  const Q_EVENT_TYPES = `query EventTypes { __type(name: "EventType") { enumValues { name } } }`;

  const Q_COUNTRIES = `query Countries($after: String) {
  countries(first: 100, after: $after) { nodes { code numeric } pageInfo { hasNextPage endCursor } }
}`;

  const S_TIMELINE = `subscription Live($filter: TimelineFilter) {
  timelineUpdated(filter: $filter) { __typename ...EventFields ...StatementFields }
}` + ITEM_FRAGMENTS;

  // ---------------------------------------------------------------- helpers

  // el builds an element; strings become text nodes, so data never reaches
  // the DOM as markup.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'className') node.className = value;
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  }

  function humanize(enumName) {
    const s = enumName.toLowerCase().replace(/_/g, ' ');
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function truncate(text, max) {
    return text.length > max ? text.slice(0, max - 1).trimEnd() + '…' : text;
  }

  function pad2(n) { return String(n).padStart(2, '0'); }

  // formatInstant shows only what the precision says is known: a
  // month-precise date is "May 2025", never "1 May 2025".
  function formatInstant(iso, precision) {
    const d = new Date(iso);
    const day = d.getUTCDate(), month = MONTHS[d.getUTCMonth()], year = d.getUTCFullYear();
    const hm = pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes());
    switch (precision) {
      case 'YEAR': return String(year);
      case 'MONTH': return month + ' ' + year;
      case 'DAY': return day + ' ' + month + ' ' + year;
      case 'MINUTE': return day + ' ' + month + ' ' + year + ', ' + hm + ' UTC';
      default: return day + ' ' + month + ' ' + year + ', ' + hm + ':' + pad2(d.getUTCSeconds()) + ' UTC';
    }
  }

  function isoDate(ms) { return new Date(ms).toISOString().slice(0, 10); }

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  // ---------------------------------------------------------------- GraphQL over HTTP

  class ApiError extends Error {
    constructor(message, code) { super(message); this.code = code; }
  }

  function isAbort(err) { return err && err.name === 'AbortError'; }

  function errorFrom(errors) {
    const first = errors[0] || {};
    const code = (first.extensions && first.extensions.code) || 'ERROR';
    return new ApiError([...new Set(errors.map((e) => e.message))].join('; '), code);
  }

  // gql runs one operation. Any GraphQL error fails the whole call: a view
  // shows either its data or the error, never half of it silently.
  // It asks for application/json, under which the server answers GraphQL
  // errors with 200 rather than 400: the body is the same, and the browser
  // does not log each one as a failed load.
  // The token is the playground's (same key in this tab's session storage):
  // a private server needs it for reads; an open one ignores it for them.
  const TOKEN_KEY = 'geotimeline.token';
  function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }
  function authHeaders() { return token() ? { Authorization: 'Bearer ' + token() } : {}; }

  async function gql(query, variables, signal) {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders() },
      body: JSON.stringify({ query, variables }),
      signal,
    });
    let body = null;
    try {
      body = await res.json();
    } catch (e) {
      body = null; // not JSON, e.g. a proxy's error page: reported by status below
    }
    if (signal && signal.aborted) throw new DOMException('superseded', 'AbortError');
    if (body && Array.isArray(body.errors) && body.errors.length) throw errorFrom(body.errors);
    if (!res.ok || !body || !body.data) throw new ApiError('HTTP ' + res.status + ' ' + res.statusText, 'HTTP_' + res.status);
    return body.data;
  }

  // Each view keeps one request in flight: a new one aborts the old, so a
  // slow answer to an old filter never overwrites a newer one.
  const controllers = {};
  function freshSignal(view) {
    if (controllers[view]) controllers[view].abort();
    controllers[view] = new AbortController();
    return controllers[view].signal;
  }

  // ---------------------------------------------------------------- page state and status

  const pageState = { pending: 0, errors: new Map() };

  function updateBodyState() {
    let state = 'ready';
    if (pageState.pending > 0) state = 'loading';
    else if (pageState.errors.size > 0) state = 'error';
    document.body.dataset.state = state;
  }

  // renderStatus names each failing view once per distinct error: a bad
  // filter fails every view with the same message.
  function renderStatus() {
    const byMessage = new Map();
    for (const [view, err] of pageState.errors) {
      const text = err.message + (err.code ? ' [' + err.code + ']' : '');
      byMessage.set(text, (byMessage.get(text) || []).concat(view));
    }
    const lines = [...byMessage].map(([text, views]) => views.join(', ') + ': ' + text);
    $('status').textContent = lines.join(' · ');
    $('status').classList.toggle('error', lines.length > 0);
    renderFieldErrors();
  }

  function reportError(view, err) {
    pageState.errors.set(view, err);
    renderStatus();
    updateBodyState();
  }

  // fieldErrors are the parts of the API's messages that concern one
  // filter field: a value that names nothing, with what it probably meant
  // ('unknown country "UK": did you mean "GB"?'). Each is shown under its
  // field as well as in the status line, so the analyst sees which value
  // to fix, and the field is marked invalid for assistive technology.
  const fieldErrors = [
    { input: 'f-countries', box: 'f-countries-error', pattern: /(unknown country "[^"]*"(: did you mean [^?]*\?)?|filter\.countries: [^;]*)/g },
    { input: 'f-actor', box: 'f-actor-error', pattern: /unknown actor "[^"]*"(: did you mean [^?]*\?)?/g },
  ];

  function renderFieldErrors() {
    const messages = [...pageState.errors.values()]
      .filter((err) => err.code === 'BAD_USER_INPUT').map((err) => err.message);
    for (const f of fieldErrors) {
      const found = new Set();
      for (const m of messages) for (const hit of m.matchAll(f.pattern)) found.add(hit[0]);
      const box = $(f.box);
      box.textContent = [...found].join('; ');
      box.hidden = found.size === 0;
      const input = $(f.input);
      const described = (input.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && id !== f.box);
      if (found.size > 0) {
        input.setAttribute('aria-invalid', 'true');
        described.push(f.box);
      } else {
        input.removeAttribute('aria-invalid');
      }
      input.setAttribute('aria-describedby', described.join(' '));
    }
  }

  // track counts a view's request towards body[data-state] and shows its
  // failure in #status. It resolves to the work's value, or undefined when
  // the work failed or was superseded.
  async function track(view, work) {
    pageState.pending++;
    pageState.errors.delete(view);
    renderStatus();
    updateBodyState();
    try {
      return await work();
    } catch (err) {
      if (!isAbort(err)) reportError(view, err);
      return undefined;
    } finally {
      pageState.pending--;
      updateBodyState();
    }
  }

  // ---------------------------------------------------------------- filter, form and URL hash

  const view = {
    filter: emptyFilter(),
    center: null, // the network's centre (global ID) when the user chose one
    depth: 1,
  };

  function emptyFilter() {
    return { from: '', to: '', actors: [], countries: [], types: [], text: '', order: 'ASC' };
  }

  const actorNames = new Map(); // actor key -> { name, id } once resolved

  function parseCountries(text) {
    return text.split(/[\s,;]+/).map((c) => c.trim().toUpperCase()).filter(Boolean);
  }

  function readForm() {
    const boxes = document.querySelectorAll('#f-types input[type=checkbox]');
    return {
      from: $('f-from').value,
      to: $('f-to').value,
      actors: [...document.querySelectorAll('#f-actors-chips li')].map((li) => li.dataset.key),
      countries: parseCountries($('f-countries').value),
      types: boxes.length ? [...boxes].filter((b) => b.checked).map((b) => b.value) : view.filter.types,
      text: $('f-text').value.trim(),
      order: $('f-order').value === 'DESC' ? 'DESC' : 'ASC',
    };
  }

  function writeForm(f) {
    $('f-from').value = f.from;
    $('f-to').value = f.to;
    $('f-countries').value = f.countries.join(', ');
    $('f-text').value = f.text;
    $('f-order').value = f.order;
    for (const box of document.querySelectorAll('#f-types input[type=checkbox]')) box.checked = f.types.includes(box.value);
    renderChips(f.actors);
    $('net-depth').value = String(view.depth);
  }

  function encodeHash() {
    const f = view.filter;
    const p = new URLSearchParams();
    if (f.from) p.set('from', f.from);
    if (f.to) p.set('to', f.to);
    if (f.actors.length) p.set('actors', f.actors.join(','));
    if (f.countries.length) p.set('countries', f.countries.join(','));
    if (f.types.length) p.set('types', f.types.join(','));
    if (f.text) p.set('text', f.text);
    if (f.order !== 'ASC') p.set('order', f.order);
    if (view.center) p.set('center', view.center);
    if (view.depth !== 1) p.set('depth', String(view.depth));
    // Commas need no escaping in a fragment; plain ones keep URLs readable.
    return p.toString().replace(/%2C/gi, ',');
  }

  function decodeHash() {
    const p = new URLSearchParams(location.hash.replace(/^#/, ''));
    const list = (name) => (p.get(name) || '').split(',').map((s) => s.trim()).filter(Boolean);
    const date = (name) => (/^\d{4}-\d{2}-\d{2}$/.test(p.get(name) || '') ? p.get(name) : '');
    view.filter = {
      from: date('from'),
      to: date('to'),
      actors: list('actors'),
      countries: list('countries').map((c) => c.toUpperCase()),
      types: list('types'),
      text: p.get('text') || '',
      order: p.get('order') === 'DESC' ? 'DESC' : 'ASC',
    };
    view.center = p.get('center') || null;
    view.depth = p.get('depth') === '2' ? 2 : 1;
  }

  // setHash records the view in the URL without triggering hashchange, so
  // that only back/forward and edited URLs go through onHashChange.
  function setHash(push) {
    const hash = encodeHash();
    const url = location.pathname + location.search + '#' + hash;
    if (push && location.hash.replace(/^#/, '') !== hash) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }

  // apiFilter is the TimelineFilter for the view; EventFilter has the same
  // fields, so it serves eventCounts and events too.
  function apiFilter(f) {
    const out = {};
    if (f.actors.length) out.actors = f.actors;
    if (f.countries.length) out.countries = f.countries;
    if (f.types.length) out.eventTypes = f.types;
    if (f.from) out.from = f.from;
    if (f.to) out.to = f.to;
    if (f.text) out.text = f.text;
    return out;
  }

  function graphFilter(f) {
    const out = {};
    if (f.from) out.from = f.from;
    if (f.to) out.to = f.to;
    return Object.keys(out).length ? out : null;
  }

  // ---------------------------------------------------------------- actor chips and typeahead

  const typeahead = { options: [], active: -1, controller: null };

  function renderChips(keys) {
    const chips = $('f-actors-chips');
    chips.replaceChildren(...keys.map(chipFor));
    resolveActorNames(keys.filter((k) => !actorNames.has(k)));
  }

  function chipFor(key) {
    const known = actorNames.get(key);
    const name = known ? known.name : key;
    const remove = el('button', { type: 'button', className: 'chip-remove', 'aria-label': 'Remove ' + name }, '×');
    remove.addEventListener('click', () => {
      chip.remove();
      $('f-actor').focus();
    });
    const chip = el('li', { className: 'chip' + (known === null ? ' unknown' : ''), 'data-key': key, title: key },
      el('span', { className: 'chip-name' }, name), remove);
    return chip;
  }

  function addChip(key, name, id) {
    if (name) actorNames.set(key, { name, id });
    if (document.querySelector('#f-actors-chips li[data-key="' + CSS.escape(key) + '"]')) return;
    $('f-actors-chips').append(chipFor(key));
    if (!name) resolveActorNames([key]);
  }

  // resolveActorNames turns keys from the URL into names, in one request
  // with one alias per key (the server allows 30 aliases).
  async function resolveActorNames(keys) {
    const batch = keys.slice(0, 25);
    if (!batch.length) return;
    const fields = batch.map((k, i) => 'a' + i + ': actor(key: $k' + i + ') { id name }').join(' ');
    const params = batch.map((k, i) => '$k' + i + ': String!').join(', ');
    const vars = Object.fromEntries(batch.map((k, i) => ['k' + i, k]));
    try {
      const data = await gql('query ActorNames(' + params + ') { ' + fields + ' }', vars);
      batch.forEach((k, i) => actorNames.set(k, data['a' + i] ? { name: data['a' + i].name, id: data['a' + i].id } : null));
    } catch (err) {
      reportError('Actor names', err);
      return;
    }
    for (const li of document.querySelectorAll('#f-actors-chips li')) {
      if (batch.includes(li.dataset.key)) li.replaceWith(chipFor(li.dataset.key));
    }
  }

  // searchText adds the prefix star the API understands after a last word
  // of three letters or more, so "rub" finds "Rubio" as one types.
  function searchText(text) {
    return /[\p{L}\p{N}]{3,}$/u.test(text) ? text + '*' : text;
  }

  // searchActors shows the actors matching the typed text and returns them;
  // an answer for text the user has since changed is dropped.
  async function searchActors() {
    const text = $('f-actor').value.trim();
    if (!/[\p{L}\p{N}]{2,}/u.test(text)) {
      closeOptions();
      return [];
    }
    if (typeahead.controller) typeahead.controller.abort();
    typeahead.controller = new AbortController();
    try {
      const data = await gql(Q_SEARCH, { text: searchText(text) }, typeahead.controller.signal);
      if ($('f-actor').value.trim() !== text) return [];
      const chosen = new Set(readForm().actors);
      const actors = data.search.map((h) => h.node).filter((n) => n.__typename === 'Actor' && !chosen.has(n.key));
      showOptions(actors);
      return actors;
    } catch (err) {
      if (!isAbort(err)) showOptionsMessage('Search failed: ' + err.message);
      return [];
    }
  }

  const runSearch = debounce(searchActors, 200);

  function showOptions(actors) {
    typeahead.options = actors;
    typeahead.active = actors.length ? 0 : -1;
    const list = $('f-actor-options');
    if (!actors.length) return showOptionsMessage('No actor matches');
    list.replaceChildren(...actors.map((a, i) => {
      const li = el('li', { role: 'option', id: 'f-actor-opt-' + i, 'data-key': a.key },
        el('span', { className: 'opt-name' }, a.name), ' ', el('span', { className: 'opt-meta' }, humanize(a.kind) + ' · ' + a.key));
      // mousedown, not click: keep the focus in the input while choosing.
      li.addEventListener('mousedown', (e) => { e.preventDefault(); chooseActor(a); });
      return li;
    }));
    openOptions();
    highlightOption();
  }

  function showOptionsMessage(text) {
    typeahead.options = [];
    typeahead.active = -1;
    $('f-actor-options').replaceChildren(el('li', { className: 'opt-message', 'aria-disabled': 'true' }, text));
    openOptions();
  }

  function openOptions() {
    $('f-actor-options').hidden = false;
    $('f-actor').setAttribute('aria-expanded', 'true');
  }

  function closeOptions() {
    typeahead.options = [];
    typeahead.active = -1;
    $('f-actor-options').hidden = true;
    $('f-actor-options').replaceChildren();
    $('f-actor').setAttribute('aria-expanded', 'false');
    $('f-actor').removeAttribute('aria-activedescendant');
  }

  function highlightOption() {
    const items = $('f-actor-options').querySelectorAll('[role=option]');
    items.forEach((li, i) => li.setAttribute('aria-selected', String(i === typeahead.active)));
    const active = items[typeahead.active];
    if (active) {
      $('f-actor').setAttribute('aria-activedescendant', active.id);
      active.scrollIntoView({ block: 'nearest' });
    }
  }

  function chooseActor(actor) {
    addChip(actor.key, actor.name, actor.id);
    $('f-actor').value = '';
    closeOptions();
  }

  // pickTyped serves Enter before the suggestions have arrived: the best
  // match if there is one, else the text as a key.
  async function pickTyped() {
    const actors = await searchActors();
    if (actors.length) chooseActor(actors[0]);
    else takeTypedKey();
  }

  // A typed actor key (the URL form) is taken as is when no name matches;
  // resolveActorNames then marks it when it is unknown.
  function takeTypedKey() {
    const text = $('f-actor').value.trim();
    if (!/^[a-z0-9][a-z0-9._:-]*$/.test(text)) return;
    addChip(text, null, null);
    $('f-actor').value = '';
    closeOptions();
  }

  function onActorKeydown(e) {
    const open = !$('f-actor-options').hidden && typeahead.options.length > 0;
    if (e.key === 'ArrowDown' && open) {
      typeahead.active = (typeahead.active + 1) % typeahead.options.length;
      highlightOption();
      e.preventDefault();
    } else if (e.key === 'ArrowUp' && open) {
      typeahead.active = (typeahead.active - 1 + typeahead.options.length) % typeahead.options.length;
      highlightOption();
      e.preventDefault();
    } else if (e.key === 'Escape') {
      closeOptions();
    } else if (e.key === 'Enter' && $('f-actor').value.trim()) {
      // Enter picks; only Enter on an empty field applies the filter.
      e.preventDefault();
      if (open && typeahead.active >= 0) chooseActor(typeahead.options[typeahead.active]);
      else pickTyped();
    } else if (e.key === 'Backspace' && !$('f-actor').value) {
      const last = $('f-actors-chips').lastElementChild;
      if (last) last.remove();
    }
  }

  // ---------------------------------------------------------------- event types

  async function loadEventTypes() {
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

  // ---------------------------------------------------------------- histogram

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
  async function histogramRange(filter, signal) {
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

  async function loadHistogram() {
    const signal = freshSignal('histogram');
    const filter = apiFilter(view.filter);
    try {
      const range = await histogramRange(filter, signal);
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
    const focusedStart = chart.contains(document.activeElement) ? document.activeElement.dataset.start : null;
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

  // narrowToBucket sets the range to the bucket, within the current range
  // (a week bucket may start before the filter's "from").
  function narrowToBucket(start) {
    const startMs = Date.parse(start);
    const f = readForm();
    let from = isoDate(startMs), to = isoDate(bucketNext(startMs, histogram.interval));
    if (f.from && f.from > from) from = f.from;
    if (f.to && f.to < to) to = f.to;
    $('f-from').value = from;
    $('f-to').value = to;
    applyForm();
  }

  // ---------------------------------------------------------------- timeline

  // items: id -> <li>; held: live items that arrived while the first page
  // was loading, placed once it is shown (clearing the list would lose them).
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

  async function loadFirstPage() {
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
    timeline.held.splice(0).forEach(onLiveItem);
    $('timeline-scroll').scrollTop = 0;
    fitMapToMarkers();
    return data.timeline.nodes;
  }

  async function loadMore() {
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
    markers.clear();
    markerLayer.clearLayers();
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
      addMarker(item);
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
    graphButton.addEventListener('click', () => centreOn(item.id));
    return el('div', { className: 'meta' },
      el('time', { datetime: iso }, formatInstant(iso, item.precision)),
      el('span', { className: 'precision', title: 'Known to the ' + item.precision.toLowerCase() }, item.precision.toLowerCase()),
      badge, fatal, el('span', { className: 'spacer' }), graphButton);
  }

  function actorButton(actor) {
    const b = el('button', { type: 'button', className: 'actor-link', 'data-id': actor.id, title: 'Show ' + actor.name + ' in the network' }, actor.name);
    b.addEventListener('click', () => centreOn(actor.id));
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

  // ---------------------------------------------------------------- network

  let cy = null;
  let laidOut = null; // { id, edges } of the network shown, to lay it out again on resize

  const RING_SIZE = 18;
  // Past this many nodes only the centre and the node under the pointer are
  // labelled on the canvas; the neighbours list names them all.
  const DENSE_NODES = 24;
  const NODE_TYPES = { Actor: 'actor', Country: 'country', Event: 'event', Statement: 'statement' };

  function createNetwork() {
    cy = cytoscape({
      container: $('network'),
      minZoom: 0.2,
      maxZoom: 3,
      style: [
        { selector: 'node', style: {
          label: 'data(label)', 'font-size': 13, 'text-wrap': 'wrap', 'text-max-width': 120, 'text-valign': 'bottom',
          'text-margin-y': 3, color: '#1f2937', 'text-background-color': '#ffffff', 'text-background-opacity': 0.8,
          'text-background-padding': 1, width: 18, height: 18, 'border-width': 1, 'border-color': '#ffffff',
        } },
        { selector: 'node.actor', style: { shape: 'ellipse', 'background-color': '#2563eb' } },
        { selector: 'node.country', style: { shape: 'round-rectangle', 'background-color': '#059669', width: 22, height: 16 } },
        { selector: 'node.event', style: { shape: 'diamond', 'background-color': '#ea580c', width: 20, height: 20 } },
        { selector: 'node.statement', style: { shape: 'round-tag', 'background-color': '#7c3aed' } },
        { selector: 'node.center', style: { width: 30, height: 30, 'border-width': 3, 'border-color': '#111827', 'font-weight': 'bold', 'font-size': 15, 'z-index': 10 } },
        { selector: 'edge', style: {
          width: 1.2, 'line-color': '#9ca3af', 'target-arrow-color': '#9ca3af', 'target-arrow-shape': 'triangle',
          'arrow-scale': 0.7, 'curve-style': 'bezier', label: '', 'font-size': 10, 'min-zoomed-font-size': 6, color: '#4b5563',
          'text-rotation': 'autorotate', 'text-background-color': '#ffffff', 'text-background-opacity': 0.85,
          'text-background-padding': 1,
        } },
        { selector: 'node.dense', style: { label: '' } },
        { selector: 'node.dense.hover, node.dense.center', style: { label: 'data(label)', 'z-index': 20 } },
        // Only the centre's own edges are labelled: the others would bury
        // the nodes in text. Pointing at a node labels its edges too.
        { selector: 'edge.touches-center, edge.hover', style: { label: 'data(label)' } },
        { selector: 'edge.touches-center', style: { 'line-color': '#6b7280', 'target-arrow-color': '#6b7280', width: 1.6 } },
        { selector: 'edge.dense', style: { label: '' } },
        { selector: 'edge.dense.hover', style: { label: 'data(label)' } },
      ],
    });
    cy.on('tap', 'node', (e) => centreOn(e.target.id()));
    cy.on('mouseover', 'node', (e) => e.target.union(e.target.connectedEdges()).addClass('hover'));
    cy.on('mouseout', 'node', (e) => e.target.union(e.target.connectedEdges()).removeClass('hover'));
    window.dashboard.cy = cy;
  }

  // layoutRings puts the centre in the middle, its direct neighbours on a
  // ring and the rest outside, then widens the rings into ellipses: the
  // canvas is wide and short, and circles would leave it mostly empty.
  function layoutRings(id, edges) {
    const direct = new Set(edges.flatMap((e) => (e.from.id === id ? [e.to.id] : e.to.id === id ? [e.from.id] : [])));
    const level = ringLevels(id, direct);
    cy.layout({ name: 'concentric', concentric: (n) => level.get(n.id()),
      levelWidth: () => 1, minNodeSpacing: 20, animate: false, fit: false }).run();
    const bb = cy.nodes().boundingBox({ includeLabels: false });
    const stretch = Math.min(3, (cy.width() / Math.max(1, cy.height())) / Math.max(0.1, bb.w / Math.max(1, bb.h)));
    if (stretch > 1) {
      const mid = (bb.x1 + bb.x2) / 2;
      cy.nodes().positions((n) => ({ x: mid + (n.position('x') - mid) * stretch, y: n.position('y') }));
    }
    cy.fit(undefined, 18);
    // A small neighbourhood would be blown up to fill the canvas; labels
    // then overlap, so stop at the natural size.
    if (cy.zoom() > 1) {
      cy.zoom(1);
      cy.center();
    }
  }

  // ringLevels gives each node its ring (higher is further in): the centre,
  // then its direct neighbours, then the rest, each group split into rings
  // of at most RING_SIZE nodes so that big neighbourhoods stay legible.
  function ringLevels(id, direct) {
    const level = new Map([[id, 100]]);
    const groups = [[], []];
    cy.nodes().forEach((n) => { if (n.id() !== id) groups[direct.has(n.id()) ? 0 : 1].push(n.id()); });
    let next = 99;
    for (const group of groups) {
      const rings = Math.max(1, Math.ceil(group.length / RING_SIZE));
      group.forEach((nid, i) => level.set(nid, next - (i % rings)));
      next -= rings;
    }
    return level;
  }

  function nodeLabel(n) {
    switch (n.__typename) {
      case 'Actor': return n.name;
      case 'Country': return n.name;
      case 'Event': return n.title;
      default: return (n.statementKind === 'OTHER' ? 'Statement' : humanize(n.statementKind)) + ' by ' + n.speaker.name;
    }
  }

  function edgeLabel(e) {
    const named = ['PARTICIPATION', 'RELATIONSHIP', 'EVENT_LINK'].includes(e.kind) && e.role;
    return (named ? e.role : e.kind).toLowerCase().replace(/_/g, ' ');
  }

  // centreOn makes a node the network's centre, from any view.
  function centreOn(id) {
    view.center = id;
    setHash(false);
    track('Network', () => loadNetwork(id));
  }

  // networkCentre picks the node to show: the user's choice, else the first
  // actor of the filter, else the first actor of the timeline's first page.
  async function networkCentre(firstPage) {
    if (view.center) return view.center;
    const key = view.filter.actors[0];
    const known = key && actorNames.get(key);
    if (known) return known.id;
    if (key) {
      const data = await gql('query ActorId($key: String!) { actor(key: $key) { id } }', { key });
      return data.actor ? data.actor.id : null;
    }
    const items = (await firstPage) || [];
    for (const item of items) {
      const actor = item.__typename === 'Event' ? (item.participants[0] || {}).actor : item.speaker;
      if (actor) return actor.id;
    }
    return null;
  }

  async function loadNetwork(id) {
    const signal = freshSignal('network');
    if (!id) return showNetwork(null);
    const data = await gql(Q_NEIGHBORHOOD, {
      id, depth: view.depth, limit: NETWORK_LIMIT, filter: graphFilter(view.filter),
    }, signal);
    showNetwork(id, data.neighborhood);
  }

  function showNetwork(id, sub) {
    $('network').dataset.center = id || '';
    cy.elements().remove();
    laidOut = null;
    if (!sub) {
      $('network-caption').textContent = 'Pick an actor in the filter or the timeline.';
      $('neighbors').replaceChildren(el('li', { className: 'muted' }, 'Nothing selected.'));
      return;
    }
    const ids = new Set(sub.nodes.map((n) => n.id));
    cy.add(sub.nodes.map((n) => ({
      group: 'nodes',
      data: { id: n.id, label: truncate(nodeLabel(n), 30) },
      classes: NODE_TYPES[n.__typename] + (n.id === id ? ' center' : ''),
    })));
    cy.add(sub.edges.filter((e) => ids.has(e.from.id) && ids.has(e.to.id)).map((e, i) => ({
      group: 'edges',
      data: { id: 'e' + i, source: e.from.id, target: e.to.id, label: edgeLabel(e) },
      classes: e.from.id === id || e.to.id === id ? 'touches-center' : '',
    })));
    if (sub.nodes.length > DENSE_NODES) cy.elements().addClass('dense');
    laidOut = { id, edges: sub.edges };
    layoutRings(id, sub.edges);
    const centre = sub.nodes.find((n) => n.id === id);
    $('network-caption').textContent = (centre ? nodeLabel(centre) : 'Unknown node') + ' · ' + sub.nodes.length + ' nodes, ' +
      sub.edges.length + ' edges' + (sub.truncated ? ' (cut short at the limit)' : '');
    renderNeighbors(id, sub);
  }

  // renderNeighbors is the keyboard-usable twin of the canvas: the centre's
  // direct neighbours as buttons that re-centre.
  function renderNeighbors(id, sub) {
    const byId = new Map(sub.nodes.map((n) => [n.id, n]));
    const seen = new Map();
    for (const e of sub.edges) {
      const other = e.from.id === id ? e.to.id : e.to.id === id ? e.from.id : null;
      if (other && byId.has(other) && !seen.has(other)) seen.set(other, edgeLabel(e));
    }
    const order = ['Actor', 'Country', 'Event', 'Statement'];
    const rows = [...seen].map(([nid, label]) => ({ node: byId.get(nid), label }))
      .sort((a, b) => order.indexOf(a.node.__typename) - order.indexOf(b.node.__typename) || nodeLabel(a.node).localeCompare(nodeLabel(b.node)));
    if (!rows.length) return $('neighbors').replaceChildren(el('li', { className: 'muted' }, 'No neighbours in this range.'));
    $('neighbors').replaceChildren(...rows.map(({ node, label }) => {
      const button = el('button', { type: 'button', 'data-id': node.id, className: 'neighbor ' + NODE_TYPES[node.__typename] },
        el('span', { className: 'swatch', 'aria-hidden': 'true' }),
        el('span', { className: 'n-name' }, truncate(nodeLabel(node), 60)),
        el('span', { className: 'n-edge' }, node.__typename + ' · ' + label));
      button.addEventListener('click', () => centreOn(node.id));
      return el('li', {}, button);
    }));
  }

  // ---------------------------------------------------------------- map

  let map = null;
  let countryLayer = null;
  let countryCounts = null; // ISO numeric -> events, for outlines that load late
  const markerLayer = L.layerGroup();
  const markers = new Map(); // item id -> circle marker
  let codeToNumeric = null; // promise of Map alpha-2 -> ISO numeric
  const SHADES = ['#fde7c8', '#fdc88a', '#fca45c', '#f07b3a', '#d9531e', '#a8360f'];

  function createMap() {
    map = L.map('map', { worldCopyJump: true, minZoom: 1, maxZoom: 9, zoomSnap: 0.5, attributionControl: false })
      .setView([25, 20], 1.5);
    markerLayer.addTo(map);
    addLegend();
    window.dashboard.map = map;
    loadOutlines();
  }

  function addLegend() {
    const legend = L.control({ position: 'bottomright' });
    legend.onAdd = () => el('div', { className: 'map-legend' },
      el('span', {}, 'Fewer'), ...SHADES.map((c) => el('span', { className: 'swatch', style: 'background:' + c })), el('span', {}, 'more events'),
      el('span', { className: 'dot' }), el('span', {}, 'located event'));
    legend.addTo(map);
  }

  async function loadOutlines() {
    try {
      const res = await fetch('/assets/vendor/countries-110m.json');
      if (!res.ok) throw new ApiError('HTTP ' + res.status, 'HTTP_' + res.status);
      const topo = await res.json();
      const outlines = topojson.feature(topo, topo.objects.countries);
      outlines.features.forEach((f) => unwrapAntimeridian(f.geometry));
      countryLayer = L.geoJSON(outlines, {
        style: () => countryStyle(0),
        onEachFeature: (feature, layer) => layer.bindTooltip(tooltip(feature.properties.name), { sticky: true }),
      }).addTo(map);
      countryLayer.bringToBack();
      if (countryCounts) shadeCountries(countryCounts);
    } catch (err) {
      reportError('Map outlines', err);
    }
  }

  // unwrapAntimeridian: Leaflet draws a ring that jumps from 180° to -180°
  // as a stripe across the world (Fiji, Chukotka). A ring lying mostly in
  // the east gets its western points moved past 180° instead.
  function unwrapAntimeridian(geometry) {
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
    for (const ring of polygons.flat()) {
      const lons = ring.map((c) => c[0]);
      if (Math.max(...lons) - Math.min(...lons) <= 180) continue;
      const west = lons.filter((lon) => lon < 0).length;
      if (west * 2 < ring.length) ring.forEach((c) => { if (c[0] < 0) c[0] += 360; });
    }
  }

  // tooltip wraps text in an element: Leaflet takes a string as HTML.
  function tooltip(text) {
    return el('span', {}, text);
  }

  function countryStyle(count, max) {
    const shade = count ? SHADES[Math.min(SHADES.length - 1, Math.floor((Math.log1p(count) / Math.log1p(max)) * (SHADES.length - 1)))] : '#eef1f5';
    return { color: '#ffffff', weight: 0.8, fillColor: shade, fillOpacity: 1 };
  }

  // countryNumerics maps alpha-2 codes (eventCounts keys) to the numeric
  // codes the world atlas uses; ~250 countries, fetched once.
  function countryNumerics() {
    if (!codeToNumeric) {
      codeToNumeric = (async () => {
        const out = new Map();
        let after = null;
        for (;;) {
          const data = await gql(Q_COUNTRIES, { after });
          for (const c of data.countries.nodes) if (c.numeric) out.set(c.code, c.numeric);
          if (!data.countries.pageInfo.hasNextPage) return out;
          after = data.countries.pageInfo.endCursor;
        }
      })();
      codeToNumeric.catch(() => { codeToNumeric = null; });
    }
    return codeToNumeric;
  }

  async function loadCountryCounts() {
    const signal = freshSignal('map');
    const [data, numerics] = await Promise.all([
      gql(Q_COUNTS, { filter: apiFilter(view.filter), interval: 'YEAR', groupBy: 'COUNTRY' }, signal),
      countryNumerics(),
    ]);
    const counts = new Map();
    for (const b of data.eventCounts) {
      const numeric = b.key && numerics.get(b.key);
      if (numeric) counts.set(numeric, (counts.get(numeric) || 0) + b.count);
    }
    countryCounts = counts;
    shadeCountries(counts);
  }

  function shadeCountries(counts) {
    if (!countryLayer) return;
    const max = Math.max(1, ...counts.values());
    countryLayer.eachLayer((layer) => {
      const count = counts.get(layer.feature.id) || 0;
      layer.setStyle(countryStyle(count, max));
      layer.setTooltipContent(tooltip(layer.feature.properties.name + ': ' + count + (count === 1 ? ' event' : ' events')));
    });
  }

  function addMarker(item) {
    const loc = item.location;
    if (item.__typename !== 'Event' || !loc || loc.lat === null || loc.lon === null) return;
    const marker = L.circleMarker([loc.lat, loc.lon], {
      radius: 6, color: '#7c2d12', weight: 1.5, fillColor: '#f97316', fillOpacity: 0.9,
    }).bindTooltip(tooltip(item.title + ' (' + formatInstant(item.occurredAt, item.precision) + ')'));
    marker.on('click', () => focusItem(item.id));
    marker.addTo(markerLayer);
    markers.set(item.id, marker);
  }

  function removeMarker(id) {
    const marker = markers.get(id);
    if (!marker) return;
    markerLayer.removeLayer(marker);
    markers.delete(id);
  }

  function fitMapToMarkers() {
    const points = [...markers.values()].map((m) => m.getLatLng());
    if (points.length) map.fitBounds(L.latLngBounds(points), { padding: [40, 40], maxZoom: 2.5 });
    else map.setView([25, 20], 1.5);
  }

  // ---------------------------------------------------------------- live updates

  // gen tells the current subscription's callbacks from a disposed one's;
  // fresh/updated count the items of a burst, for one announcement.
  const live = {
    client: null, gen: 0, attempt: 0, retryTimer: null, stableTimer: null,
    lastError: null, delivered: false, fresh: 0, updated: 0,
  };

  function wsURL() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
  }

  function setLive(state, text) {
    $('live').dataset.live = state;
    $('live-text').textContent = text;
  }

  function stopLive() {
    live.gen++;
    clearTimeout(live.retryTimer);
    clearTimeout(live.stableTimer);
    if (live.client) live.client.dispose();
    live.client = null;
  }

  // subscribeLive opens a fresh client per subscription, so each attempt
  // reports its own "connected". The client does not retry by itself: a
  // lost feed may have missed items, so we reload before trusting it again.
  function subscribeLive(reloadOnConnect) {
    stopLive();
    const gen = live.gen;
    const current = () => gen === live.gen;
    live.lastError = null;
    live.delivered = false;
    setLive('closed', 'Live updates: connecting…');
    live.client = graphqlWs.createClient({
      url: wsURL(),
      // Browsers cannot set headers on a websocket: the token rides in
      // connection_init.
      connectionParams: authHeaders,
      retryAttempts: 0,
      on: {
        connected: () => current() && onLiveConnected(reloadOnConnect),
        closed: () => current() && ($('live').dataset.live = 'closed'),
      },
    });
    live.client.subscribe({ query: S_TIMELINE, variables: { filter: apiFilter(view.filter) } }, {
      next: (msg) => current() && onLiveMessage(msg),
      error: (err) => current() && liveLost(describeLiveError(err), !Array.isArray(err)),
      complete: () => current() && onLiveComplete(),
    });
  }

  function onLiveConnected(reload) {
    setLive('open', 'Live');
    // Only a connection that lasts resets the backoff: a server that
    // accepts and then drops at once must not be hammered.
    live.stableTimer = setTimeout(() => { live.attempt = 0; }, 15000);
    if (reload) reloadViews();
  }

  function describeLiveError(err) {
    if (Array.isArray(err)) return err.map((e) => e.message).join('; ');
    if (err && typeof err.code === 'number') return 'connection closed (' + err.code + (err.reason ? ': ' + err.reason : '') + ')';
    return (err && err.message) || 'connection failed';
  }

  // liveLost retries a lost connection, with a capped exponential backoff.
  // A GraphQL error (the filter itself is refused) would only recur, so it
  // ends the feed until the filter changes.
  function liveLost(reason, retry) {
    stopLive();
    if (!retry) {
      setLive('closed', 'Live updates off: ' + reason);
      return;
    }
    const delay = Math.min(LIVE_MAX_BACKOFF_MS, 1000 * Math.pow(2, live.attempt)) + Math.floor(Math.random() * 500);
    live.attempt++;
    setLive('closed', 'Live updates off: ' + reason + '. Retrying in ' + Math.round(delay / 1000) + ' s.');
    live.retryTimer = setTimeout(() => subscribeLive(true), delay);
  }

  // A feed that ends right after an error, having delivered nothing, was
  // refused (a bad filter): retrying would only be refused again. Any other
  // end is the server dropping a slow reader, which calls for a reload.
  function onLiveComplete() {
    if (live.lastError && !live.delivered) liveLost(live.lastError, false);
    else liveLost('the server ended the feed', true);
  }

  function onLiveMessage(msg) {
    if (msg.errors && msg.errors.length) {
      live.lastError = msg.errors.map((e) => e.message).join('; ');
      setLive('open', 'Live (error: ' + live.lastError + ')');
      return;
    }
    const item = msg.data && msg.data.timelineUpdated;
    if (!item) return;
    live.delivered = true;
    if (timeline.loadingFirst) timeline.held.push(item);
    else onLiveItem(item);
  }

  function onLiveItem(item) {
    if (placeLiveItem(item)) live.updated++;
    else live.fresh++;
    refreshAfterLive();
  }

  // placeLiveItem puts an item where the API's order puts it among the
  // loaded ones; an item past the last loaded one waits for "load more".
  // It reports whether the item replaced one already shown.
  function placeLiveItem(item) {
    const existing = timeline.items.get(item.id);
    if (existing) {
      existing.remove();
      timeline.items.delete(item.id);
      removeMarker(item.id);
    }
    const li = renderItem(item);
    li.classList.add('new');
    li.querySelector('.meta').prepend(el('span', { className: 'badge new-badge' }, existing ? 'Updated' : 'New'));
    const dir = view.filter.order === 'DESC' ? -1 : 1;
    const key = sortKey(item);
    const before = [...$('timeline').children].find((other) => dir * compareKeys(key, liSortKey(other)) < 0);
    if (before) $('timeline').insertBefore(li, before);
    else if (!timeline.hasNext) $('timeline').append(li);
    else return Boolean(existing);
    timeline.items.set(item.id, li);
    addMarker(item);
    updateListFooter();
    return Boolean(existing);
  }

  function liSortKey(li) {
    return [Number(li.dataset.at), Number(li.dataset.prec), li.dataset.key, li.dataset.kind === 'EVENT' ? 0 : 1];
  }

  // The aggregates are refreshed once a burst of live items has passed.
  const refreshAfterLive = debounce(() => {
    announce(live.fresh, live.updated);
    live.fresh = 0;
    live.updated = 0;
    track('Histogram', loadHistogram);
    track('Map', loadCountryCounts);
    track('Timeline total', refreshTotal);
  }, LIVE_REFRESH_MS);

  function announce(fresh, updated) {
    const parts = [];
    if (fresh) parts.push(fresh + (fresh === 1 ? ' new item' : ' new items'));
    if (updated) parts.push(updated + (updated === 1 ? ' item updated' : ' items updated'));
    $('announce').textContent = parts.join(', ');
    // The feed may have ended since these items came: keep its state.
    if (parts.length && $('live').dataset.live === 'open') setLive('open', 'Live · ' + parts.join(', '));
  }

  async function refreshTotal() {
    const data = await gql(Q_TOTAL, { filter: apiFilter(view.filter) }, freshSignal('total'));
    setTotal(data.timeline.totalCount);
  }

  // ---------------------------------------------------------------- wiring

  // reloadViews fetches every view for the current filter.
  function reloadViews() {
    pageState.errors.clear();
    renderStatus();
    const firstPage = track('Timeline', loadFirstPage);
    track('Histogram', loadHistogram);
    track('Map', loadCountryCounts);
    track('Network', async () => loadNetwork(await networkCentre(firstPage)));
  }

  // applyView is what a new filter does: every view, and a new subscription.
  function applyView() {
    timeline.held = [];
    reloadViews();
    live.attempt = 0;
    subscribeLive(false);
  }

  // applyForm first turns text left in the actor field into a chip, as
  // Enter there would have.
  async function applyForm() {
    if ($('f-actor').value.trim()) await track('Actor search', pickTyped);
    closeOptions();
    view.filter = readForm();
    view.center = null;
    setHash(true);
    applyView();
  }

  function onHashChange() {
    decodeHash();
    writeForm(view.filter);
    applyView();
  }

  function bindControls() {
    $('filters').addEventListener('submit', (e) => { e.preventDefault(); applyForm(); });
    // Enter applies from every control, not only from the text fields that
    // submit a form natively.
    $('filters').addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target.matches('#f-types input, #f-order')) {
        e.preventDefault();
        applyForm();
      }
    });
    $('token').value = token();
    $('token').addEventListener('change', () => {
      sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
      applyView();
    });
    $('reset').addEventListener('click', () => {
      writeForm(emptyFilter());
      applyForm();
    });
    $('f-actor').addEventListener('input', runSearch);
    $('f-actor').addEventListener('keydown', onActorKeydown);
    $('f-actor').addEventListener('blur', closeOptions);
    $('more').addEventListener('click', () => track('Timeline', loadMore));
    $('net-depth').addEventListener('change', () => {
      view.depth = Number($('net-depth').value) === 2 ? 2 : 1;
      setHash(false);
      track('Network', () => loadNetwork($('network').dataset.center || null));
    });
    window.addEventListener('hashchange', onHashChange);
    // Infinite scroll: the "load more" button loads itself when scrolled to.
    new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !timeline.loadingMore && timeline.hasNext) track('Timeline', loadMore);
    }, { root: $('timeline-scroll'), rootMargin: '200px' }).observe($('more'));
    // Cytoscape and Leaflet follow window resizes only; the grid also
    // resizes their panes when the filter bar wraps or the types load.
    new ResizeObserver(debounce(() => {
      cy.resize();
      if (laidOut) layoutRings(laidOut.id, laidOut.edges);
    }, 100)).observe($('network'));
    new ResizeObserver(debounce(() => map.invalidateSize(), 100)).observe($('map'));
    new ResizeObserver(debounce(() => {
      if (histogram.rendered) renderHistogram(histogram.buckets, histogram.interval, histogram.domain, histogram.emptyText);
    }, 100)).observe($('hist-wrap'));
  }

  function init() {
    window.dashboard = { cy: null, map: null };
    createNetwork();
    createMap();
    bindControls();
    decodeHash();
    writeForm(view.filter);
    loadEventTypes();
    applyView();
  }

  init();
})();
