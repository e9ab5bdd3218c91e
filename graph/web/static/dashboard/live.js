// @ts-check
// Live updates: the timeline's new and changed items under the filter, as
// one graphql-ws feed, retried with a backoff when the connection is lost,
// its items handed to the timeline and announced once a burst has passed.

import { $, debounce } from './dom.js';
import { authHeaders } from './api.js';
import { S_TIMELINE } from './queries.js';
import { apiFilter, currentView } from './filter.js';
import { on, emit } from './state.js';

/** @type {any} the vendored graphql-ws client, a classic script */
const graphqlWs = /** @type {any} */ (window).graphqlWs;

const LIVE_REFRESH_MS = 1000;
const LIVE_MAX_BACKOFF_MS = 30000;

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
  // dispose() answers with a promise that rejects (with the socket's
  // CloseEvent) when the socket was still connecting or closing: the client
  // is being thrown away, so how it ended tells nothing, and left unhandled
  // the rejection reaches the page as an uncaught error.
  if (live.client) Promise.resolve(live.client.dispose()).catch(() => {});
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
  live.client.subscribe({ query: S_TIMELINE, variables: { filter: apiFilter(currentView().filter) } }, {
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
  if (reload) emit('reload');
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
  emit('live-item', item);
}

// The aggregates are refreshed once a burst of live items has passed.
const refreshAfterLive = debounce(() => {
  announce(live.fresh, live.updated);
  live.fresh = 0;
  live.updated = 0;
  emit('live-burst');
}, LIVE_REFRESH_MS);

function announce(fresh, updated) {
  const parts = [];
  if (fresh) parts.push(fresh + (fresh === 1 ? ' new item' : ' new items'));
  if (updated) parts.push(updated + (updated === 1 ? ' item updated' : ' items updated'));
  $('announce').textContent = parts.join(', ');
  // The feed may have ended since these items came: keep its state.
  if (parts.length && $('live').dataset.live === 'open') setLive('open', 'Live · ' + parts.join(', '));
}

// restartLive subscribes afresh for the view, with no backoff.
export function restartLive() {
  live.attempt = 0;
  subscribeLive(false);
}

on('live-placed', (updated) => {
  if (updated) live.updated++;
  else live.fresh++;
  refreshAfterLive();
});
