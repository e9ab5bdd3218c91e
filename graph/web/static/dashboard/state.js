// @ts-check
// The page's event bus and its status: which views are loading, which
// failed and why (#status, the field errors, body[data-state]).
//
// Parts tell each other what happened through the bus, not through each
// other's variables:
// emit(type, detail) calls, synchronously and in the order they were
// registered, every fn given to on(type, fn), with detail. The events:
//
//   centre       id: show this node in the network (a button, a double click)
//   focus-item   id: bring this timeline item into view (a map marker)
//   narrow       { from, to }: narrow the filter's range (a histogram bar)
//   item-shown   item: the timeline shows an item (the map adds its marker)
//   item-removed id: the timeline dropped an item (the map drops its marker)
//   items-cleared   the timeline emptied (the map drops every marker)
//   page-shown      a first page is shown (the map fits its markers)
//   live-item    item: the feed delivered an item (the timeline places it)
//   live-placed  updated: the timeline placed a live item (true: it replaced one)
//   live-burst      a burst of live items has passed (refresh the aggregates)
//   reload          fetch every view again (the feed reconnected)
//   view-applied    view: a new view is applied (downloads rebuild their links)
//   suggest      { field, bad, value }: put a suggested value in place of a
//                bad one in a filter field and apply (a field error's button)
//   open-event   key: open that event's page (a card's title, a chain's link)

import { $, el } from './dom.js';
import { isAbort } from './api.js';

/** @typedef {{ message: string, code?: string }} ViewError */

const bus = new EventTarget();

/**
 * on registers fn for the events of a type.
 * @param {string} type
 * @param {(detail: any) => void} fn
 */
export function on(type, fn) {
  bus.addEventListener(type, (e) => fn(/** @type {CustomEvent} */ (e).detail));
}

/**
 * emit calls every fn registered for type, in order, before it returns.
 * @param {string} type
 * @param {any} [detail]
 */
export function emit(type, detail) {
  bus.dispatchEvent(new CustomEvent(type, { detail }));
}

const pageState = { pending: 0, errors: new Map() };

// updateBodyState says 'loading' at once, and 'ready' or 'error' only at
// the next frame, once the page has been laid out: the resize observers
// of the panes have run by then, so that a pane whose size the last
// answer changed says so (the network's data-layout) before anyone reads
// the page as ready.
let settling = 0;
function updateBodyState() {
  cancelAnimationFrame(settling);
  if (pageState.pending > 0) {
    document.body.dataset.state = 'loading';
    return;
  }
  settling = requestAnimationFrame(() => {
    if (pageState.pending > 0) return;
    document.body.dataset.state = pageState.errors.size > 0 ? 'error' : 'ready';
  });
}

// renderStatus names each failing view once per distinct error: a bad
// filter fails every view with the same message.
export function renderStatus() {
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

export function reportError(view, err) {
  pageState.errors.set(view, err);
  renderStatus();
  updateBodyState();
}

// fieldErrors are the parts of the API's messages that concern one
// filter field: a value that names nothing, with what it probably meant
// ('unknown country "UK": did you mean "GB"?'), from the GraphQL views
// and from a download (/export/ words them as "countries: …" where
// GraphQL says "filter.countries: …"). Each is shown under its field as
// well as in the status line, so the analyst sees which value to fix, and
// the field is marked invalid for assistive technology. Every suggestion
// is a button that emits 'suggest' { field, bad, value }: main.js puts
// the value in place of the bad one and applies the filter.
const fieldErrors = [
  { field: 'countries', input: 'f-countries', box: 'f-countries-error',
    pattern: /(unknown country "[^"]*"(: did you mean [^?]*\?)?|(filter\.)?countries(\[\d+\])?: [^;]*)/g },
  { field: 'actors', input: 'f-actor', box: 'f-actor-error', pattern: /unknown actor "[^"]*"(: did you mean [^?]*\?)?/g },
  { field: 'to', input: 'f-to', box: 'f-to-error', pattern: /to: "[^"]*" is not after from "[^"]*"[^;]*/g },
  { field: 'types', input: 'f-types', box: 'f-types-error',
    pattern: /(types: "[^"]*" is not an event type(: did you mean [^?]*\?)?|\b[A-Za-z_]+ is not a valid EventType)/g },
];

// Field errors come with these codes: the resolvers' BAD_USER_INPUT, and
// GraphQL's own refusal of an enum value the schema lacks (a type in an
// edited URL).
const FIELD_ERROR_CODES = ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'];

/**
 * fieldErrorNodes renders one field error: its text, each suggestion a
 * button that applies it in place of the value the error names.
 * @param {string} field
 * @param {string} text
 * @returns {(Node | string)[]}
 */
function fieldErrorNodes(field, text) {
  const hint = text.indexOf(': did you mean ');
  const quoted = /"([^"]*)"/.exec(text);
  const bad = quoted ? quoted[1] : text.split(' ')[0];
  if (hint < 0) return [text];
  const head = text.slice(0, hint + ': did you mean '.length);
  const values = [...text.slice(head.length).matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  if (!values.length) return [text];
  /** @type {(Node | string)[]} */
  const out = [head];
  // The quotes stay outside the buttons, so that the text reads as the API
  // wrote it; each quoted suggestion is kept on one line.
  values.forEach((value, i) => {
    if (i > 0) out.push(i === values.length - 1 ? ' or ' : ', ');
    const button = el('button', { type: 'button', className: 'suggestion', 'data-field': field, 'data-bad': bad,
      'data-value': value, 'aria-label': 'Use ' + value + ' instead of ' + bad }, value);
    button.addEventListener('click', () => emit('suggest', { field, bad, value }));
    out.push(el('span', { className: 'suggested' }, '"', button, '"', i === values.length - 1 ? '?' : ''));
  });
  return out;
}

function renderFieldErrors() {
  const messages = [...pageState.errors.values()]
    .filter((err) => FIELD_ERROR_CODES.includes(err.code || '')).map((err) => err.message);
  for (const f of fieldErrors) {
    const found = new Set();
    // GraphQL's "filter.countries: …" is the export's "countries: …".
    for (const m of messages) for (const hit of m.matchAll(f.pattern)) found.add(hit[0].replace(/^filter\./, ''));
    const box = $(f.box);
    const text = [...found].join('; ');
    // Unchanged errors are left as they are, so that a focused suggestion
    // keeps its focus while the views reload.
    if (box.dataset.text !== text) {
      box.dataset.text = text;
      /** @type {(Node | string)[]} */
      const nodes = [];
      [...found].forEach((hit, i) => nodes.push(...(i > 0 ? ['; '] : []), ...fieldErrorNodes(f.field, hit)));
      box.replaceChildren(...nodes);
    }
    box.hidden = found.size === 0;
    const input = $(f.input);
    const described = (input.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && id !== f.box);
    if (found.size > 0) {
      // (The types' fieldset is a group, which aria-invalid does not apply to.)
      if (input.matches('input')) input.setAttribute('aria-invalid', 'true');
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
export async function track(view, work) {
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

// clearErrors forgets every view's failure, as a reload of every view does.
export function clearErrors() {
  pageState.errors.clear();
  renderStatus();
}
