// @ts-check
// Downloads of exactly the current view: the server's exports
// (GET /export/{format}) with the view's filter in the URL's parameters, one
// link per format in the "Download" menu of the timeline panel.
//
// Each link's href is the export of the view applied last (rebuilt on
// 'view-applied'), so that it can be copied or opened from an open server.
// A click fetches it instead, with the token in the Authorization header
// (a private server takes it only there: a plain link cannot send it),
// and saves the answer through a blob: URL under the server's file name.
// A refusal (a bad filter, the size bound) is the API's JSON error: it is
// shown in the menu and, like any view's error, in the status line and
// beside the filter field it concerns, with its suggestions.

import { $, el } from './dom.js';
import { authHeaders, errorFrom, ApiError } from './api.js';
import { apiFilter, currentView, rangeError } from './filter.js';
import { on, track } from './state.js';

/** @typedef {import('./filter.js').View} View */

/** @typedef {{ format: string, label: string, what: string, ext: string }} Format */

/** @type {Format[]} */
export const FORMATS = [
  { format: 'csv', label: 'CSV', what: 'events, a row each, for a spreadsheet', ext: 'csv' },
  { format: 'timelinejs', label: 'TimelineJS', what: 'events and statements, TimelineJS 3 JSON', ext: 'json' },
  { format: 'geojson', label: 'GeoJSON', what: 'located events as points, for a map', ext: 'geojson' },
  { format: 'gexf', label: 'GEXF', what: 'the items, actors and countries as a graph, for Gephi', ext: 'gexf' },
  { format: 'graphml', label: 'GraphML', what: 'the same graph, for yEd or NetworkX', ext: 'graphml' },
];

// PARAMS names the export's URL parameter for each field of the API
// filter (apiFilter); any other field is sent as its kebab-case name
// (timeMatch: time-match), so that a field the export does not take is
// refused by the server (an unknown parameter) rather than dropped
// from a download that would then hold more than the view.
/** @type {Record<string, string>} */
const PARAMS = { eventTypes: 'types', timeMatch: 'time-match' };

/**
 * exportQuery is the URL search part of the view's filter and order, as
 * /export/ takes them: lists comma-separated, "" for the unfiltered view
 * oldest first.
 * @param {View} view
 * @returns {string}
 */
export function exportQuery(view) {
  const p = new URLSearchParams();
  for (const [name, value] of Object.entries(apiFilter(view.filter))) {
    const param = PARAMS[name] || name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
    p.set(param, Array.isArray(value) ? value.join(',') : String(value));
  }
  // In the list's order: newest first when it is.
  if (view.filter.order === 'DESC') p.set('order', 'desc');
  // Commas need no escaping in a query; plain ones keep the links readable.
  return p.toString().replace(/%2C/gi, ',');
}

/**
 * exportURL is the path of one format's export of the view.
 * @param {string} format
 * @param {View} view
 */
export function exportURL(format, view) {
  const q = exportQuery(view);
  return '/export/' + format + (q ? '?' + q : '');
}

// createDownloads fills the menu with a link per format.
export function createDownloads() {
  $('downloads-list').replaceChildren(...FORMATS.map((f) => {
    const link = el('a', { id: 'dl-' + f.format, className: 'download', href: exportURL(f.format, currentView()),
      download: 'geotimeline-' + f.format + '.' + f.ext, 'data-format': f.format, 'aria-describedby': 'dl-what-' + f.format }, f.label);
    link.addEventListener('click', (/** @type {MouseEvent} */ e) => onClick(e, f));
    return el('li', {}, link, ' ', el('span', { id: 'dl-what-' + f.format, className: 'hint' }, f.what));
  }));
  on('view-applied', () => {
    refreshLinks();
    say('');
  });
  // A menu opened after an edit of the URL shows that view's links.
  $('downloads').addEventListener('toggle', refreshLinks);
}

// refreshLinks points every link at the current view's export and says
// which filter that is.
function refreshLinks() {
  const view = currentView();
  for (const f of FORMATS) $('dl-' + f.format).setAttribute('href', exportURL(f.format, view));
  const q = exportQuery(view);
  $('downloads-filter').textContent = q ? 'Filter: ' + decodeURIComponent(q.replace(/\+/g, ' ')) : 'No filter: everything';
}

/**
 * onClick downloads through fetch; a click with a modifier (a new tab, a
 * saved link) is left to the browser, which works on an open server.
 * @param {MouseEvent} e
 * @param {Format} f
 */
function onClick(e, f) {
  if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  const view = currentView();
  const url = exportURL(f.format, view);
  $('dl-' + f.format).setAttribute('href', url);
  // A range that holds no day (an edited URL) is refused as the views
  // refuse it, not downloaded as an empty file.
  const bad = rangeError(view.filter);
  if (bad) {
    say(f.label + ' refused: ' + bad.message, true);
    track('Download', () => Promise.reject(bad));
    return;
  }
  track('Download', () => download(url, f));
}

/** @param {string} text @param {boolean} [failed] */
function say(text, failed) {
  const line = $('downloads-status');
  line.textContent = text;
  line.classList.toggle('field-error', Boolean(failed));
}

/**
 * download fetches an export and saves it; it throws the API's error,
 * which track() reports.
 * @param {string} url
 * @param {Format} f
 */
async function download(url, f) {
  const link = $('dl-' + f.format);
  link.setAttribute('aria-busy', 'true');
  say('Downloading ' + f.label + '…');
  try {
    const res = await fetch(url, { headers: authHeaders() });
    if (!res.ok) {
      let body = null;
      try {
        body = await res.json();
      } catch (err) {
        body = null; // not the API's error: reported by status below
      }
      if (body && Array.isArray(body.errors) && body.errors.length) throw errorFrom(body.errors);
      throw new ApiError('HTTP ' + res.status + ' ' + res.statusText, 'HTTP_' + res.status);
    }
    let blob;
    try {
      blob = await res.blob();
    } catch (err) {
      // The server aborts an export that fails half-way (the timeout, the
      // size bound): never save what arrived as if it were whole.
      throw new ApiError('the ' + f.label + ' download broke off before its end: ' + err.message, 'DOWNLOAD_BROKEN');
    }
    const name = fileName(res.headers.get('Content-Disposition')) || link.getAttribute('download') || 'geotimeline';
    save(blob, name);
    say(f.label + ': ' + name + ', ' + formatBytes(blob.size));
  } catch (err) {
    if (err && err.name !== 'AbortError') say(f.label + ' refused: ' + err.message, true);
    throw err;
  } finally {
    link.removeAttribute('aria-busy');
  }
}

/**
 * save hands a blob to the browser as a download named name.
 * @param {Blob} blob
 * @param {string} name
 */
function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  // The browser has taken the blob once the click's download began; a
  // minute is ample and frees the memory of a large export.
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** @param {string | null} header @returns {string} */
function fileName(header) {
  const m = /filename="([^"]+)"/.exec(header || '');
  return m ? m[1] : '';
}

/** @param {number} n */
function formatBytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1024 / 1024).toFixed(1) + ' MiB';
}
