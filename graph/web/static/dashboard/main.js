// @ts-check
// The analyst dashboard: a filter bar, a histogram of events over time, the
// timeline list, the neighbourhood of one node as a network, a map, and live
// updates. It talks only to the public GraphQL API (POST /graphql and
// graphql-ws on the same path), like any other client.
//
// This module wires the parts together: it starts them, binds the page's
// controls, and answers the events they emit on the bus of state.js (see
// there). A part reads another's state only through its exported functions
// (filter.js's currentView(), actors.js's knownActor()), never its variables.

import { $ } from './dom.js';
import { token, TOKEN_KEY } from './api.js';
import { on, emit, track, clearErrors, reportError } from './state.js';
import { currentView, emptyFilter, readForm, writeForm, decodeHash, setHash, takeForm, setCentre, setDepth, setNodes, loadEventTypes, suggestInForm, rangeError } from './filter.js';
import { closeOptions, pickTyped, runSearch, onActorKeydown } from './actors.js';
import * as histogram from './histogram.js';
import * as timeline from './timeline.js';
import * as network from './network.js';
import * as map from './map.js';
import { restartLive } from './live.js';
import { createDownloads } from './downloads.js';
import { showEvent, bindEventPage } from './event.js';

// reloadViews fetches every view for the current filter, unless its range
// holds no day (an edited URL): that is said under To instead.
function reloadViews() {
  const view = currentView();
  clearErrors();
  const bad = rangeError(view.filter);
  if (bad) return reportError('Filter', bad);
  const firstPage = track('Timeline', () => timeline.loadFirstPage(view));
  track('Histogram', () => histogram.loadHistogram(view));
  track('Map', () => map.loadCountryCounts(view));
  track('Network', async () => network.loadNetwork(view, await network.networkCentre(view, firstPage)));
}

// applyView is what a new filter does: every view, and a new subscription.
function applyView() {
  timeline.dropHeld();
  reloadViews();
  restartLive();
  emit('view-applied', currentView());
}

// applyForm first turns text left in the actor field into a chip, as
// Enter there would have. A range that holds no day is refused under To,
// and the views and the URL stay as they are.
async function applyForm() {
  if ($('f-actor').value.trim()) await track('Actor search', pickTyped);
  closeOptions();
  const bad = rangeError(readForm());
  if (bad) {
    clearErrors();
    return reportError('Filter', bad);
  }
  takeForm();
  setHash(true);
  applyView();
}

// onHashChange applies an edited URL, or Back and Forward; opening or
// closing an event's page (event=KEY) leaves the views as they are.
function onHashChange() {
  const { filter, center, depth, nodes, asOf, hidden, pinned, expanded } = currentView();
  decodeHash();
  const view = currentView();
  showEvent(view.event);
  if (JSON.stringify([filter, center, depth, nodes, asOf, hidden, pinned, expanded]) ===
    JSON.stringify([view.filter, view.center, view.depth, view.nodes, view.asOf, view.hidden, view.pinned, view.expanded])) return;
  writeForm(view.filter);
  applyView();
}

// centreOn makes a node the network's centre, from any view.
/** @param {string} id */
function centreOn(id) {
  setCentre(id);
  setHash(false);
  track('Network', () => network.loadNetwork(currentView(), id));
}

// narrowTo sets the range to a histogram bucket's, within the current
// range (a week bucket may start before the filter's "from").
/** @param {{ from: string, to: string }} bucket */
function narrowTo(bucket) {
  const f = readForm();
  let { from, to } = bucket;
  if (f.from && f.from > from) from = f.from;
  if (f.to && f.to < to) to = f.to;
  $('f-from').value = from;
  $('f-to').value = to;
  applyForm();
}

on('centre', centreOn);
on('narrow', narrowTo);
on('reload', reloadViews);
// A field error's suggestion replaces the bad value and applies the filter.
on('suggest', (/** @type {{ field: string, bad: string, value: string }} */ s) => {
  suggestInForm(s);
  applyForm();
});
// The aggregates are refreshed once a burst of live items has passed.
on('live-burst', () => {
  const view = currentView();
  track('Histogram', () => histogram.loadHistogram(view));
  track('Map', () => map.loadCountryCounts(view));
  track('Timeline total', timeline.refreshTotal);
});

function bindControls() {
  $('filters').addEventListener('submit', (/** @type {Event} */ e) => { e.preventDefault(); applyForm(); });
  // Enter applies from every control, not only from the text fields that
  // submit a form natively.
  $('filters').addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    if (e.key === 'Enter' && /** @type {Element} */ (e.target).matches('#f-types input, #f-order, #f-match')) {
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
  timeline.bindTimeline();
  bindEventPage();
  $('net-depth').addEventListener('change', () => {
    setDepth(Number($('net-depth').value) === 2 ? 2 : 1);
    setHash(false);
    track('Network', () => network.loadNetwork(currentView(), $('network').dataset.center || null));
  });
  $('net-nodes').addEventListener('change', () => {
    setNodes($('net-nodes').value);
    setHash(false);
    track('Network', () => network.loadNetwork(currentView(), $('network').dataset.center || null));
  });
  window.addEventListener('hashchange', onHashChange);
  timeline.observeScroll();
  network.observeResize();
  map.observeResize();
  histogram.observeResize();
}

function init() {
  /** @type {any} */ (window).dashboard = { cy: null, map: null };
  network.createNetwork();
  map.createMap();
  createDownloads();
  bindControls();
  decodeHash();
  writeForm(currentView().filter);
  loadEventTypes();
  applyView();
  showEvent(currentView().event);
}

init();
