// @ts-check
// The map: countries shaded by their events under the filter, counted by
// where the events took place or by the countries their participants are
// affiliated to (the view's mapBy, a select in the panel's head), and a dot
// for each located event the timeline shows, dots that crowd grouped into
// clusters (leaflet.markercluster) that open on click.

import { el, debounce, $ } from './dom.js';
import { formatInstant } from './format.js';
import { gql, freshSignal, ApiError } from './api.js';
import { Q_COUNTS } from './queries.js';
import { apiFilter, currentView, setMapBy, setHash } from './filter.js';
import { on, emit, reportError, track } from './state.js';

/** @typedef {import('./filter.js').View} View */
/** @typedef {import('./filter.js').MapBy} MapBy */
/** @typedef {import('./timeline.js').Item} Item */

/** @type {any} the vendored Leaflet and topojson-client, classic scripts */
const L = /** @type {any} */ (window).L;
/** @type {any} */
const topojson = /** @type {any} */ (window).topojson;

/** @type {any} */
let map = null;
let countryLayer = null;
let countryCounts = null; // ISO numeric -> events, for outlines that load late
/** @type {MapBy} what countryCounts counts */
let shadedBy = 'location';
// Dots closer than maxClusterRadius pixels are drawn as one cluster, which
// zooms in on click, or spreads its dots out (spiderfies) when they share
// a place or the map is at its closest zoom.
const markerLayer = L.markerClusterGroup({
  maxClusterRadius: 40, showCoverageOnHover: false, spiderfyOnMaxZoom: true, iconCreateFunction: clusterIcon,
  animate: !matchMedia('(prefers-reduced-motion: reduce)').matches,
});
const markers = new Map(); // item id -> circle marker
let codeToNumeric = null; // promise of Map alpha-2 -> ISO numeric
const SHADES = ['#fde7c8', '#fdc88a', '#fca45c', '#f07b3a', '#d9531e', '#a8360f'];

// What the shading counts, for each MapBy: the eventCounts grouping, the
// legend's words and a tooltip's.
const SHADINGS = {
  location: { groupBy: 'COUNTRY', legend: 'events located in the country', tooltip: 'located here' },
  participants: { groupBy: 'PARTICIPANT_COUNTRY', legend: 'events with a participant from the country', tooltip: 'with a participant from here' },
};

const legendText = el('span', { className: 'map-legend-what' }, SHADINGS.location.legend);

export function createMap() {
  map = L.map('map', { worldCopyJump: true, minZoom: 1, maxZoom: 9, zoomSnap: 0.5, attributionControl: false })
    .setView([25, 20], 1.5);
  markerLayer.addTo(map);
  addLegend();
  /** @type {any} */ (window).dashboard.map = map;
  /** @type {any} */ (window).dashboard.markers = markerLayer;
  loadOutlines();
  $('map-by').addEventListener('change', () => {
    setMapBy($('map-by').value === 'participants' ? 'participants' : 'location');
    setHash(false);
    track('Map', () => loadCountryCounts(currentView()));
  });
}

function addLegend() {
  const legend = L.control({ position: 'bottomright' });
  legend.onAdd = () => el('div', { className: 'map-legend' },
    el('span', { className: 'map-legend-scale' },
      el('span', {}, 'Fewer'), ...SHADES.map((c) => el('span', { className: 'swatch', style: 'background:' + c })), el('span', {}, 'more'),
      legendText),
    el('span', { className: 'map-legend-dots' },
      el('span', { className: 'dot' }), el('span', {}, 'located event'),
      el('span', { className: 'cluster-key' }, '3'), el('span', {}, 'located events close together')));
  legend.addTo(map);
}

// ClusterIcon is a DivIcon with an accessible name: Leaflet makes a
// marker's icon a focusable button (Enter opens a cluster), but names it
// only by its text, the bare count.
const ClusterIcon = L.DivIcon.extend({
  createIcon(old) {
    const div = L.DivIcon.prototype.createIcon.call(this, old);
    div.setAttribute('aria-label', this.options.label);
    return div;
  },
});

// clusterIcon draws a cluster as the plugin's default does (its CSS sizes
// it, dashboard.css colours it), with its text built as elements: Leaflet
// takes an icon's html string as HTML.
function clusterIcon(cluster) {
  const n = cluster.getChildCount();
  const size = n < 10 ? 'small' : n < 100 ? 'medium' : 'large';
  return new ClusterIcon({
    html: el('div', {}, el('span', {}, String(n))),
    className: 'marker-cluster marker-cluster-' + size,
    iconSize: L.point(40, 40),
    label: n + ' located events close together: show them',
  });
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
// codes the world atlas uses; ~250 countries, fetched once, from the
// binary's table beside the atlas (what countries { code numeric } says,
// in one preloaded file instead of three pages asked one after another).
function countryNumerics() {
  if (!codeToNumeric) {
    codeToNumeric = (async () => {
      const res = await fetch('/assets/dashboard/country-numerics.json');
      if (!res.ok) throw new ApiError('HTTP ' + res.status, 'HTTP_' + res.status);
      return new Map(Object.entries(await res.json()));
    })();
    codeToNumeric.catch(() => { codeToNumeric = null; });
  }
  return codeToNumeric;
}

// loadCountryCounts shades the countries by the view's filter and mapBy.
/** @param {View} view */
export async function loadCountryCounts(view) {
  const by = view.mapBy;
  $('map-by').value = by;
  const signal = freshSignal('map');
  const [data, numerics] = await Promise.all([
    gql(Q_COUNTS, { filter: apiFilter(view.filter), interval: 'YEAR', groupBy: SHADINGS[by].groupBy }, signal),
    countryNumerics(),
  ]);
  const counts = new Map();
  for (const b of data.eventCounts) {
    const numeric = b.key && numerics.get(b.key);
    if (numeric) counts.set(numeric, (counts.get(numeric) || 0) + b.count);
  }
  countryCounts = counts;
  shadedBy = by;
  shadeCountries(counts);
}

// shadeCountries colours each outline by its count, and records the count
// and what it counts on its path (data-count, data-by) for tests; the
// legend says what the counts count.
function shadeCountries(counts) {
  legendText.textContent = SHADINGS[shadedBy].legend;
  if (!countryLayer) return;
  const max = Math.max(1, ...counts.values());
  countryLayer.eachLayer((layer) => {
    const count = counts.get(layer.feature.id) || 0;
    layer.setStyle(countryStyle(count, max));
    layer.setTooltipContent(tooltip(layer.feature.properties.name + ': ' + count + (count === 1 ? ' event ' : ' events ') + SHADINGS[shadedBy].tooltip));
    const path = layer.getElement();
    if (path) {
      path.dataset.country = layer.feature.id;
      path.dataset.count = String(count);
      path.dataset.by = shadedBy;
    }
  });
}

function addMarker(item) {
  const loc = item.location;
  if (item.__typename !== 'Event' || !loc || loc.lat === null || loc.lon === null) return;
  const marker = L.circleMarker([loc.lat, loc.lon], {
    radius: 6, color: '#7c2d12', weight: 1.5, fillColor: '#f97316', fillOpacity: 0.9, className: 'event-dot',
  }).bindTooltip(tooltip(item.title + ' (' + formatInstant(item.occurredAt, item.precision) + ')'));
  marker.on('click', () => emit('focus-item', item.id));
  marker.itemId = item.id;
  markerLayer.addLayer(marker);
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
