// @ts-check
// The map: countries shaded by their events under the filter, and a dot
// for each located event the timeline shows.

import { el, formatInstant, debounce, $ } from './util.js';
import { gql, freshSignal, ApiError } from './api.js';
import { Q_COUNTS, Q_COUNTRIES } from './queries.js';
import { apiFilter } from './filter.js';
import { on, emit, reportError } from './state.js';

/** @typedef {import('./filter.js').View} View */
/** @typedef {import('./timeline.js').Item} Item */

/** @type {any} the vendored Leaflet and topojson-client, classic scripts */
const L = /** @type {any} */ (window).L;
/** @type {any} */
const topojson = /** @type {any} */ (window).topojson;

/** @type {any} */
let map = null;
let countryLayer = null;
let countryCounts = null; // ISO numeric -> events, for outlines that load late
const markerLayer = L.layerGroup();
const markers = new Map(); // item id -> circle marker
let codeToNumeric = null; // promise of Map alpha-2 -> ISO numeric
const SHADES = ['#fde7c8', '#fdc88a', '#fca45c', '#f07b3a', '#d9531e', '#a8360f'];

export function createMap() {
  map = L.map('map', { worldCopyJump: true, minZoom: 1, maxZoom: 9, zoomSnap: 0.5, attributionControl: false })
    .setView([25, 20], 1.5);
  markerLayer.addTo(map);
  addLegend();
  /** @type {any} */ (window).dashboard.map = map;
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

/** @param {View} view */
export async function loadCountryCounts(view) {
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
  marker.on('click', () => emit('focus-item', item.id));
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

// observeResize tells Leaflet when its pane changes size.
export function observeResize() {
  new ResizeObserver(debounce(() => map.invalidateSize(), 100)).observe($('map'));
}

on('item-shown', addMarker);
on('item-removed', removeMarker);
on('items-cleared', () => {
  markers.clear();
  markerLayer.clearLayers();
});
on('page-shown', fitMapToMarkers);
