// @ts-check
// The actor field: the chosen actors as chips, their names (resolved from
// keys once, then kept), and the typeahead that searches actors by name.

import { $, el, debounce } from './dom.js';
import { humanize } from './format.js';
import { gql, isAbort } from './api.js';
import { Q_SEARCH } from './queries.js';
import { reportError } from './state.js';

/** @typedef {{ id: string, key: string, name: string, kind: string }} Actor */

/** @type {Map<string, { name: string, id: string } | null>} */
const actorNames = new Map(); // actor key -> { name, id } once resolved, null when unknown

/** @type {{ options: Actor[], active: number, controller: AbortController | null }} */
const typeahead = { options: [], active: -1, controller: null };

export function renderChips(keys) {
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
    const chosen = new Set(selectedActors());
    const actors = data.search.map((h) => h.node).filter((n) => n.__typename === 'Actor' && !chosen.has(n.key));
    showOptions(actors);
    return actors;
  } catch (err) {
    if (!isAbort(err)) showOptionsMessage('Search failed: ' + err.message);
    return [];
  }
}

export const runSearch = debounce(searchActors, 200);

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

export function closeOptions() {
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
export async function pickTyped() {
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

export function onActorKeydown(e) {
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

// selectedActors are the keys of the chips, in order.
/** @returns {string[]} */
export function selectedActors() {
  return [...document.querySelectorAll('#f-actors-chips li')].map((li) => /** @type {HTMLElement} */ (li).dataset.key || '');
}

// knownActor is what a key's name lookup found: { name, id }, null for a
// key that names no actor, undefined while unknown.
/** @param {string} key */
export function knownActor(key) { return actorNames.get(key); }

// replaceActor puts the actor key in place of the chip of another (a
// suggestion for a key that names nothing), or adds it when that chip is
// gone.
/** @param {string} bad @param {string} key */
export function replaceActor(bad, key) {
  const old = document.querySelector('#f-actors-chips li[data-key="' + CSS.escape(bad) + '"]');
  const taken = document.querySelector('#f-actors-chips li[data-key="' + CSS.escape(key) + '"]');
  if (old && taken) old.remove();
  else if (old) old.replaceWith(chipFor(key));
  else if (!taken) $('f-actors-chips').append(chipFor(key));
  if (!actorNames.has(key)) resolveActorNames([key]);
}
