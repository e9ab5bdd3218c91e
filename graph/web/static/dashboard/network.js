// @ts-check
// The network: the neighbourhood of one node (the centre) on a Cytoscape
// canvas laid out by fcose (a star, the usual one-hop neighbourhood, as
// rings round the centre: layoutStar), with every node shown listed as
// buttons.
//
// Readable at 200 nodes: node size follows degree; only the labels that fit
// are drawn (placeLabels: the centre, the path, pinned and the most connected
// nodes first, each label only where it overlaps no label already placed
// and the canvas's edge does not cut it), at a constant size on screen, so
// zooming in shows more of them; pointing at a node shows its whole label. Labels carry badges (kind and country)
// so that same-named nodes differ. Actors that take part in the same events
// of the network are joined by a "shared" edge whose width and label give how
// many (counted here, from the neighbourhood's PARTICIPATION edges).
//
// A click expands a node (adds its neighbourhood), a double click re-centres
// on it; the list's buttons do the same from the keyboard, and hide or pin a
// node (a pinned node keeps its place across layouts). The "as of" slider
// shows the network as of a date (GraphFilter.to, the day after it); the path
// tool asks shortestPath and highlights the path. "Actors only" folds the
// events away, leaving actors joined by their shared-event edges.

import { $, el, debounce } from './dom.js';
import { humanize, truncate, formatInstant, isoDate, DAY_MS } from './format.js';
import { gql, freshSignal } from './api.js';
import { Q_NEIGHBORHOOD, Q_ACTOR_ID, Q_SHORTEST_PATH } from './queries.js';
import { graphFilter, currentView, setAsOf, setMarks, setHash } from './filter.js';
import { knownActor } from './actors.js';
import { emit, track } from './state.js';

/** @typedef {import('./filter.js').View} View */
/** @typedef {import('./timeline.js').Item} Item */
/**
 * A node as the neighbourhood and shortestPath queries return it.
 * @typedef {{ __typename: string, id: string, key?: string, name?: string, actorKind?: string,
 *   country?: { code: string } | null, code?: string, title?: string, type?: string,
 *   occurredAt?: string, precision?: string, statementKind?: string, madeAt?: string,
 *   speaker?: { name: string } }} GNode
 * @typedef {{ kind: string, role: string | null, at: string | null, from: { id: string }, to: { id: string } }} GEdge
 * @typedef {{ nodes: GNode[], edges: GEdge[], truncated: boolean }} Subgraph
 */

/** @type {any} the vendored Cytoscape, a classic script */
const cytoscape = /** @type {any} */ (window).cytoscape;
const fcose = /** @type {any} */ (window).cytoscapeFcose;

// The most nodes an expansion adds (a view's neighbourhood brings at most
// its View.nodes, the Nodes control's; the API allows up to 1000).
const EXPAND_LIMIT = 60;
// Label size in screen pixels, whatever the zoom.
const FONT_PX = 12;
// Cytoscape's default font family, a line's height, and the labels' gap
// below their node (text-margin-y): what labelBox measures with.
const LABEL_FONT = '"Helvetica Neue", Helvetica, sans-serif';
const LABEL_LINE = 1.25;
const LABEL_MARGIN_Y = 2;
// A tap waits this long for a second one (a double click re-centres).
const TAP_WAIT_MS = 320;

const NODE_TYPES = { Actor: 'actor', Country: 'country', Event: 'event', Statement: 'statement' };
const KIND_SHORT = {
  PERSON: 'person', STATE: 'state', GOVERNMENT_BODY: 'gov', MILITARY: 'military', ARMED_GROUP: 'armed group',
  POLITICAL_PARTY: 'party', INTERNATIONAL_ORGANIZATION: 'IO', NGO: 'NGO', MEDIA: 'media', OTHER: 'actor',
};
const KIND_LETTER = {
  PERSON: 'P', STATE: 'S', GOVERNMENT_BODY: 'G', MILITARY: 'M', ARMED_GROUP: 'A',
  POLITICAL_PARTY: 'Py', INTERNATIONAL_ORGANIZATION: 'IO', NGO: 'N', MEDIA: 'Me', OTHER: '?',
};

/** @type {any} */
let cy = null;

// What the network shows, beyond Cytoscape's own elements.
const net = {
  centre: /** @type {string | null} */ (null),
  /** @type {Map<string, GNode>} */
  nodes: new Map(),
  /** @type {Map<string, GEdge>} by edgeKey */
  edges: new Map(),
  /** @type {Set<string>} */
  hidden: new Set(),
  /** @type {Map<string, { x: number, y: number }>} */
  pinned: new Map(),
  /** @type {Set<string>} */
  expanded: new Set(),
  /** @type {string[]} node ids of the path shown, in order */
  path: [],
  /** @type {Set<string>} edge ids of the path shown */
  pathEdges: new Set(),
  truncated: false,
  layouts: 0,
  // drawings counts the networks shown: one that a newer replaces while
  // it is still expanding what the view says stops.
  drawings: 0,
};

// The "as of" slider: its days run from the first to the last instant of
// the centre's edges (within the filter's range); the last step is "all".
const asOf = {
  centre: /** @type {string | null} */ (null),
  filterKey: '',
  startMs: 0,
  days: 0,
  value: 0, // days after startMs; === days means all dates
};

// stylesheet is the network's style with labels of px, the size in the
// graph's units that placeLabels chooses for the zoom. A number rather
// than a function of labelPx: Cytoscape calls a function for every element
// each time it styles one, and caches nothing of it (about 4 % of a
// 200-node load, measured against the function in one run).
/** @param {number} px */
function stylesheet(px) {
  return [
    { selector: 'node', style: {
      label: 'data(label)', 'font-size': px, 'text-valign': 'bottom', 'text-halign': 'center',
      'text-margin-y': LABEL_MARGIN_Y, color: '#1f2937', 'text-background-color': '#ffffff', 'text-background-opacity': 0.7,
      'text-background-padding': 1, 'text-background-shape': 'roundrectangle', width: 'data(size)', height: 'data(size)', 'border-width': 1, 'border-color': '#ffffff',
      'min-zoomed-font-size': 0,
    } },
    { selector: 'node.actor', style: { shape: 'ellipse', 'background-color': '#2563eb' } },
    { selector: 'node.country', style: { shape: 'round-rectangle', 'background-color': '#059669' } },
    { selector: 'node.event', style: { shape: 'diamond', 'background-color': '#ea580c' } },
    { selector: 'node.statement', style: { shape: 'round-tag', 'background-color': '#7c3aed' } },
    { selector: 'node[badge]', style: { 'background-image': 'data(badge)', 'background-fit': 'contain', 'background-clip': 'none' } },
    { selector: 'node.center', style: { 'border-width': 3, 'border-color': '#111827', 'font-weight': 'bold', 'z-index': 10 } },
    { selector: 'node.pinned', style: { 'border-width': 3, 'border-color': '#b45309', 'border-style': 'double' } },
    { selector: 'node.expanded', style: { 'border-color': '#6b7280', 'border-width': 2 } },
    // A quiet node has no label at all: a transparent one is measured and
    // laid out on every frame all the same.
    { selector: 'node.quiet', style: { label: '' } },
    { selector: 'node.hover', style: { label: 'data(full)', 'text-opacity': 1, 'text-background-opacity': 0.95, 'z-index': 30 } },
    { selector: '.hidden, .folded', style: { display: 'none' } },
    { selector: 'edge', style: {
      width: 1, 'line-color': '#c4c9d1', 'target-arrow-color': '#c4c9d1', 'target-arrow-shape': 'triangle',
      'arrow-scale': 0.6, 'curve-style': 'bezier', label: '', 'font-size': px * 0.85, color: '#4b5563',
      'text-rotation': 'autorotate', 'text-background-color': '#ffffff', 'text-background-opacity': 0.85,
      'text-background-padding': 1, 'min-zoomed-font-size': 0,
    } },
    { selector: 'edge.shared', style: {
      width: 'data(width)', 'line-color': '#0d9488', 'target-arrow-shape': 'none', opacity: 0.6, 'curve-style': 'straight',
    } },
    // Edge labels under the pointer, and the shared-event weights that
    // fit (placeLabels).
    { selector: 'edge.hover', style: { label: 'data(label)', 'z-index': 30 } },
    { selector: 'edge.shared.weighed', style: { label: 'data(weightLabel)', 'text-rotation': 'none', color: '#0f766e' } },
    { selector: 'node.path', style: { 'border-width': 4, 'border-color': '#dc2626', 'z-index': 20 } },
    { selector: 'edge.path', style: { width: 4, 'line-color': '#dc2626', 'target-arrow-color': '#dc2626', opacity: 1, 'z-index': 20 } },
    { selector: 'node.faded', style: { opacity: 0.35 } },
    { selector: 'edge.faded', style: { opacity: 0.15 } },
  ];
}

export function createNetwork() {
  if (!cytoscape('layout', 'fcose')) cytoscape.use(fcose);
  cy = cytoscape({
    container: $('network'),
    minZoom: 0.1,
    maxZoom: 4,
    style: stylesheet(FONT_PX),
  });
  let tapTimer = 0;
  let lastTap = '';
  cy.on('tap', 'node', (e) => {
    lastTap = e.target.id();
    clearTimeout(tapTimer);
    const id = lastTap;
    tapTimer = window.setTimeout(() => expand(id), TAP_WAIT_MS);
  });
  // The browser's double click (its own timing, its clickCount), on the
  // node the two taps hit.
  $('network').addEventListener('dblclick', () => {
    clearTimeout(tapTimer);
    if (lastTap && cy.getElementById(lastTap).length) emit('centre', lastTap);
  });
  cy.on('mouseover', 'node', (e) => e.target.union(e.target.connectedEdges()).addClass('hover'));
  cy.on('mouseout', 'node', (e) => e.target.union(e.target.connectedEdges()).removeClass('hover'));
  cy.on('dragfree', 'node', (e) => {
    const n = e.target;
    if (net.pinned.has(n.id())) net.pinned.set(n.id(), { ...n.position() });
    placeLabels();
  });
  // A pan or zoom places the labels again once it settles; the fit that
  // ends a layout has placed them already (placeLabels notes the viewport).
  cy.on('viewport', debounce(() => { if (viewportKey() !== labelledAt) placeLabels(); }, 120));
  /** @type {any} */ (window).dashboard.cy = cy;
  bindTools();
}

// ------------------------------------------------------------ labels

/** @param {string} iso @param {string | undefined} precision */
function shortDate(iso, precision) {
  return formatInstant(iso, precision === 'MINUTE' || precision === 'SECOND' ? 'DAY' : precision || 'DAY');
}

/**
 * nodeLabel is what a node is called, with its badges: an actor's kind and
 * country ("Saudi Arabia · state SA"), a country's code, a statement's
 * speaker, kind and date ("Marco Rubio · readout · 3 May 2025").
 * @param {GNode} n
 */
export function nodeLabel(n) {
  switch (n.__typename) {
    case 'Actor': return n.name + ' · ' + (KIND_SHORT[n.actorKind || 'OTHER'] || 'actor') + (n.country ? ' ' + n.country.code : '');
    case 'Country': return n.name + ' · country ' + n.code;
    case 'Event': return n.title || '';
    default: return (n.speaker ? n.speaker.name : '?') + ' · ' +
      (n.statementKind === 'OTHER' ? 'statement' : humanize(n.statementKind || 'OTHER').toLowerCase()) +
      ' · ' + shortDate(n.madeAt || '', n.precision);
  }
}

/** @param {GNode} n */
function canvasLabel(n) {
  // An event's date is in the list and under the pointer (the title);
  // on the canvas, room is short.
  if (n.__typename === 'Event') return truncate(n.title || '', 28);
  return truncate(nodeLabel(n), 40);
}

// fullLabel is what the pointer shows: the whole name, an event's date.
/** @param {GNode} n */
function fullLabel(n) {
  return n.__typename === 'Event' ? (n.title || '') + ' · ' + shortDate(n.occurredAt || '', n.precision) : nodeLabel(n);
}

const badges = new Map();
// badge is an image of the actor's kind letter, drawn inside its node.
/** @param {GNode} n */
function badge(n) {
  if (n.__typename !== 'Actor') return undefined;
  const letter = KIND_LETTER[n.actorKind || 'OTHER'] || '?';
  if (!badges.has(letter)) {
    const size = letter.length > 1 ? 9 : 12;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">` +
      `<text x="12" y="${12 + size * 0.36}" font-family="sans-serif" font-size="${size}" font-weight="700" ` +
      `text-anchor="middle" fill="#ffffff">${letter}</text></svg>`;
    badges.set(letter, 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg));
  }
  return badges.get(letter);
}

/** @param {GEdge} e */
function edgeLabel(e) {
  const named = ['PARTICIPATION', 'RELATIONSHIP', 'EVENT_LINK'].includes(e.kind) && e.role;
  return (named ? e.role || '' : e.kind).toLowerCase().replace(/_/g, ' ');
}

/** @param {GEdge} e */
function edgeKey(e) { return e.from.id + '>' + e.to.id + ':' + e.kind + ':' + (e.role || ''); }

// labelWidths caches the width on screen of each label text at FONT_PX,
// by font weight: the same at every zoom, since labels keep their size on
// screen.
/** @type {Map<string, number>} */
const labelWidths = new Map();
/** @type {CanvasRenderingContext2D | null} */
let measurer = null;
// labelPx is the labels' font size in the graph's units, FONT_PX on
// screen at the zoom they were last placed for: the stylesheet is built
// with it, so that new elements come styled at it and a new zoom restyles
// once.
let labelPx = 0;

// labelBox is the box, in the graph's coordinates, that Cytoscape draws a
// node's label in (below the node, centred, with its background's
// padding), measured here: Cytoscape's boundingBox({includeLabels}) says
// the same at ~0.2 ms a node, most of a 200-node network's placing. Two
// pixels of margin on every side keep it no smaller than Cytoscape's.
/** @param {any} n @param {number} zoom */
function labelBox(n, zoom) {
  const text = n.data('label');
  if (!text) return null;
  const bold = n.hasClass('center');
  const key = (bold ? 'b' : 'n') + text;
  let width = labelWidths.get(key);
  if (width === undefined) {
    if (!measurer) measurer = /** @type {CanvasRenderingContext2D} */ (document.createElement('canvas').getContext('2d'));
    measurer.font = (bold ? 'bold ' : 'normal ') + FONT_PX + 'px ' + LABEL_FONT;
    width = measurer.measureText(text).width;
    labelWidths.set(key, width);
  }
  const p = n.position(), half = (n.data('size') || 16) / 2;
  const pad = 2 / zoom;
  const w = width / zoom / 2 + pad, top = p.y + half + LABEL_MARGIN_Y;
  return { x1: p.x - w, x2: p.x + w, y1: top - pad, y2: top + (FONT_PX * LABEL_LINE) / zoom + pad };
}

function overlaps(a, b) {
  return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
}

// placeLabels shows the labels that fit. Font sizes are set so that a
// label is FONT_PX on screen at this zoom; then, by priority, each label
// is shown when its box overlaps no label shown before it. (A label may
// lie over a node: its background is translucent.)
/** @type {string} the viewport the labels were last placed for */
let labelledAt = '';
function viewportKey() {
  const p = cy.pan();
  return cy.zoom() + ' ' + p.x + ' ' + p.y + ' ' + cy.width() + ' ' + cy.height();
}

function placeLabels() {
  if (!cy) return;
  labelledAt = viewportKey();
  const t0 = performance.now();
  const zoom = cy.zoom() || 1;
  const px = FONT_PX / zoom;
  const drawn = shownElements();
  const visible = drawn.nodes();
  const degree = degrees();
  /** @type {Map<string, number>} */
  const ranks = new Map();
  visible.forEach((n) => ranks.set(n.id(), (n.hasClass('center') ? 4e6 : 0) + (n.hasClass('path') ? 3e6 : 0) + (n.hasClass('pinned') ? 2e6 : 0) +
    (n.hasClass('expanded') ? 1e6 : 0) + (degree.get(n.id()) || 0) * 10 + (n.hasClass('actor') ? 5 : 0)));
  const rank = (n) => /** @type {number} */ (ranks.get(n.id()));
  const order = visible.toArray().sort((a, b) => rank(b) - rank(a) || a.id().localeCompare(b.id()));
  /** @type {any[]} */
  const placed = [];
  /** @type {string[]} */
  const shown = [];
  const view = cy.extent();
  for (const n of order) {
    const box = labelBox(n, zoom);
    if (!box) continue;
    // Not a label cut by the canvas's edge.
    if (box.x1 < view.x1 || box.x2 > view.x2 || box.y1 < view.y1 || box.y2 > view.y2) continue;
    if (placed.some((p) => overlaps(p, box))) continue;
    placed.push(box);
    shown.push(n.id());
  }
  const keep = new Set(shown);
  // Then the weights of the shared-event edges, heaviest first, where
  // they fit among the node labels: Cytoscape measures those, so each is
  // drawn at this zoom's size first.
  const shared = drawn.edges('.shared');
  cy.batch(() => {
    if (px !== labelPx) {
      labelPx = px;
      cy.style(stylesheet(px));
    }
    cy.nodes().forEach((n) => { if (n.hasClass('quiet') === keep.has(n.id())) n.toggleClass('quiet'); });
    shared.addClass('weighed');
  });
  const edgesShown = [];
  for (const e of shared.toArray().sort((a, b) => b.data('weight') - a.data('weight') || a.id().localeCompare(b.id()))) {
    const box = e.boundingBox({ includeLabels: true, includeNodes: false, includeEdges: false, includeOverlays: false });
    if (!(box.w > 0)) continue;
    if (box.x1 < view.x1 || box.x2 > view.x2 || box.y1 < view.y1 || box.y2 > view.y2) continue;
    if (placed.some((p) => overlaps(p, box))) continue;
    placed.push(box);
    edgesShown.push(e.id());
  }
  const keepEdges = new Set(edgesShown);
  cy.batch(() => shared.forEach((e) => { if (!keepEdges.has(e.id())) e.removeClass('weighed'); }));
  $('network').dataset.labels = String(shown.length);
  $('network').dataset.edgeLabels = String(edgesShown.length);
  $('network').dataset.labelZoom = String(zoom);
  $('network').dataset.labelMs = String(Math.round(performance.now() - t0));
}

// ------------------------------------------------------------ the graph

// degrees counts each node's edges, loops aside, as Cytoscape's
// degree(false) does, for all nodes at once: asked node by node in a sort,
// degree() took ~20 ms of a 200-node load.
/** @returns {Map<string, number>} */
function degrees() {
  /** @type {Map<string, number>} */
  const d = new Map();
  cy.edges().forEach((e) => {
    const a = e.data('source'), b = e.data('target');
    if (a === b) return;
    d.set(a, (d.get(a) || 0) + 1);
    d.set(b, (d.get(b) || 0) + 1);
  });
  return d;
}

// resize gives each node a size by its degree.
function resize() {
  const degree = degrees();
  cy.batch(() => cy.nodes().forEach((n) => {
    const d = degree.get(n.id()) || 0;
    const size = Math.min(56, 14 + 5 * Math.sqrt(d));
    n.data('size', n.hasClass('center') ? Math.max(size, 30) : size);
  }));
}

/**
 * addSubgraph adds the nodes and edges not in the graph yet, new nodes
 * near `near` when given (an expansion grows from the node expanded).
 * @param {GNode[]} nodes
 * @param {GEdge[]} edges
 * @param {{ x: number, y: number } | null} near
 */
function addSubgraph(nodes, edges, near) {
  const added = [];
  for (const n of nodes) {
    net.nodes.set(n.id, n);
    if (cy.getElementById(n.id).length) continue;
    // Never two nodes on one spot, even before the layout: Cytoscape
    // cannot draw an edge between them (and says so on the console).
    const position = near ? { x: near.x + (Math.random() - 0.5) * 80, y: near.y + (Math.random() - 0.5) * 80 }
      : { x: Math.random() * 1000, y: Math.random() * 1000 };
    added.push({
      group: 'nodes', data: { id: n.id, label: canvasLabel(n), full: fullLabel(n), badge: badge(n), size: 16 }, position,
      classes: NODE_TYPES[n.__typename] + (net.hidden.has(n.id) ? ' hidden' : ''),
    });
  }
  if (added.length) cy.add(added);
  const newEdges = [];
  for (const e of edges) {
    const key = edgeKey(e);
    if (net.edges.has(key) || !cy.getElementById(e.from.id).length || !cy.getElementById(e.to.id).length) continue;
    net.edges.set(key, e);
    newEdges.push({ group: 'edges', data: { id: 'e:' + key, source: e.from.id, target: e.to.id, label: edgeLabel(e) } });
  }
  if (newEdges.length) cy.add(newEdges);
}

// sharedEdges joins actors that take part in the same events of the
// network, weighted by how many: counted here, from the PARTICIPATION edges
// the neighbourhoods brought (actor → event → actor).
function sharedEdges() {
  cy.edges('.shared').remove();
  /** @type {Map<string, Set<string>>} event -> actors */
  const byEvent = new Map();
  for (const e of net.edges.values()) {
    if (e.kind !== 'PARTICIPATION') continue;
    if (!byEvent.has(e.to.id)) byEvent.set(e.to.id, new Set());
    /** @type {Set<string>} */ (byEvent.get(e.to.id)).add(e.from.id);
  }
  /** @type {Map<string, number>} */
  const pairs = new Map();
  for (const actors of byEvent.values()) {
    const list = [...actors].sort();
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const k = list[i] + '|' + list[j];
        pairs.set(k, (pairs.get(k) || 0) + 1);
      }
    }
  }
  const add = [];
  for (const [k, count] of pairs) {
    const [a, b] = k.split('|');
    add.push({ group: 'edges', classes: 'shared',
      data: { id: 'shared:' + k, source: a, target: b, weight: count, width: Math.min(12, 1.5 + 2 * Math.log2(count)),
        weightLabel: '×' + count, label: count === 1 ? '1 shared event' : count + ' shared events' } });
  }
  if (add.length) cy.add(add);
}

// shownElements is what is drawn: the nodes neither hidden nor folded
// and the edges between them. Cytoscape's ':visible' says the same, but
// computes every element's style to say it (~20 ms at 200 nodes).
function shownElements() {
  /** @param {any} n */
  const out = (n) => n.hasClass('hidden') || n.hasClass('folded');
  return cy.elements().filter((e) => (e.isNode() ? !out(e) : !out(e.source()) && !out(e.target())));
}

// applyClasses marks the centre, the pinned, the hidden and the path.
function applyClasses() {
  cy.batch(() => {
    cy.elements().removeClass('center pinned path faded');
    if (net.centre) cy.getElementById(net.centre).addClass('center');
    for (const id of net.pinned.keys()) cy.getElementById(id).addClass('pinned');
    for (const id of net.expanded) cy.getElementById(id).addClass('expanded');
    cy.nodes().forEach((n) => n.toggleClass('hidden', net.hidden.has(n.id())));
    // Folded events stay out of sight, except on the path.
    cy.nodes('.event').forEach((n) => n.toggleClass('folded', folded() && !net.path.includes(n.id())));
    if (net.path.length) {
      for (const id of net.path) cy.getElementById(id).addClass('path');
      for (const id of net.pathEdges) cy.getElementById(id).addClass('path');
      cy.elements().not('.path').addClass('faded');
    }
  });
}

/** @type {any} */
let running = null;

// layout runs fcose over what is shown: from scratch (a new centre) or from
// the nodes' current places (an expansion, a path), pinned nodes fixed.
/** @param {boolean} incremental */
async function layout(incremental) {
  resize();
  const shown = shownElements();
  $('network').dataset.layout = 'running';
  if (running) running.stop();
  const fixed = [...net.pinned].filter(([id]) => shown.getElementById(id).length).map(([nodeId, position]) => ({ nodeId, position }));
  const many = shown.nodes().length;
  const l = shown.layout({
    name: 'fcose', quality: many > 120 ? 'default' : 'proof', randomize: !incremental, animate: false, fit: false,
    nodeDimensionsIncludeLabels: false, packComponents: true, tile: true,
    nodeRepulsion: () => 9000, idealEdgeLength: (e) => (e.hasClass('shared') ? 110 : 70), edgeElasticity: (e) => (e.hasClass('shared') ? 0.1 : 0.45),
    gravity: 0.3, gravityRange: 3.8, numIter: 2500, nodeSeparation: 60,
    fixedNodeConstraint: fixed.length ? fixed : undefined,
  });
  running = l;
  const done = l.promiseOn('layoutstop');
  const t0 = performance.now();
  l.run();
  await done;
  if (running !== l) return;
  running = null;
  // fcose keeps fixed nodes in place up to a shift of the whole drawing.
  for (const [id, p] of net.pinned) cy.getElementById(id).position(p);
  laidOut(shown, t0);
}

// laidOut fits what a layout placed into the canvas and labels it.
/** @param {any} shown @param {number} t0 when the layout began */
function laidOut(shown, t0) {
  $('network').dataset.layoutMs = String(Math.round(performance.now() - t0));
  stretch(shown.nodes().filter((n) => !net.pinned.has(n.id())));
  fitNodes(shown.nodes());
  placeLabels();
  net.layouts++;
  $('network').dataset.layouts = String(net.layouts);
  $('network').dataset.layout = 'done';
}

// A star (every node shown a neighbour of the centre, as most depth-1
// neighbourhoods are) of at least STAR_NODES nodes is drawn as a disc of
// rings round the centre, by layoutStar. fcose took ~150 ms of a 200-node
// load to end with much the same disc; computed here, the rings take a
// millisecond, and inside the batch that adds the nodes Cytoscape styles
// each element once instead of after every step (sizes, fonts, labels).
const STAR_NODES = 40;
// The least distance between rings, and about that between two nodes of
// a ring (more when the largest node needs it).
const RING_STEP = 44;

// layoutStar lays a fresh star out as rings, or says it is not one: ring
// k holds 6k nodes (a hexagonal packing's), actors, then the best
// connected, nearest the centre. Pinned nodes leave it to fcose.
/** @returns {boolean} */
function layoutStar() {
  if (net.pinned.size) return false;
  const t0 = performance.now();
  const shown = shownElements();
  const nodes = shown.nodes();
  const centre = net.centre ? nodes.getElementById(net.centre) : null;
  if (!centre || !centre.length || nodes.length < STAR_NODES) return false;
  const around = centre.neighborhood('node').filter((n) => shown.contains(n));
  if (around.length !== nodes.length - 1) return false;
  resize();
  const degree = degrees();
  const rank = (n) => (n.hasClass('actor') ? 1e6 : 0) + (degree.get(n.id()) || 0);
  const order = around.toArray().sort((a, b) => rank(b) - rank(a) || a.id().localeCompare(b.id()));
  let step = RING_STEP;
  around.forEach((n) => { step = Math.max(step, n.data('size') + 12); });
  centre.position({ x: 0, y: 0 });
  let ring = 1, slot = 0;
  for (const n of order) {
    if (slot === 6 * ring) {
      ring++;
      slot = 0;
    }
    // The last ring's nodes spread round it whole, not bunched at its start.
    const inRing = Math.min(6 * ring, order.length - 3 * ring * (ring - 1));
    const angle = -Math.PI / 2 + ring * 0.5 + (2 * Math.PI * slot) / inRing;
    n.position({ x: ring * step * Math.cos(angle), y: ring * step * Math.sin(angle) });
    slot++;
  }
  if (running) running.stop();
  running = null;
  laidOut(shown, t0);
  return true;
}

// fitNodes zooms and pans to show the nodes whole, with room for the
// labels of the lowest row, at most 1.5× (a small network is not blown
// up). It reads positions and sizes alone: cy.fit measures every label
// first (~50 ms at 200 nodes).
/** @type {string} the viewport fitNodes last chose */
let fittedAt = '';
/** @param {any} nodes */
function fitNodes(nodes) {
  if (!nodes.length) return;
  // The pane's size now: Cytoscape's is the one it last read, and a
  // resize may be waiting for the debounced observer.
  cy.resize();
  const { x1, x2, y1, y2 } = nodeBox(nodes, true);
  const pad = 12, below = FONT_PX + 6;
  const w = Math.max(1, cy.width() - 2 * pad), h = Math.max(1, cy.height() - 2 * pad - below);
  const zoom = Math.max(cy.minZoom(), Math.min(1.5, w / Math.max(1, x2 - x1), h / Math.max(1, y2 - y1)));
  cy.viewport({ zoom, pan: { x: cy.width() / 2 - zoom * (x1 + x2) / 2, y: (cy.height() - below) / 2 - zoom * (y1 + y2) / 2 } });
  fittedAt = viewportKey();
}

// nodeBox is the box of the nodes' centres, or of the nodes whole with
// withSizes (by their data's size): Cytoscape's boundingBox computes every
// node's style to say it, ~20 ms at 200 nodes.
/** @param {any} nodes @param {boolean} withSizes */
function nodeBox(nodes, withSizes) {
  let x1 = Infinity, x2 = -Infinity, y1 = Infinity, y2 = -Infinity;
  nodes.forEach((n) => {
    const p = n.position(), half = withSizes ? (n.data('size') || 16) / 2 : 0;
    x1 = Math.min(x1, p.x - half); x2 = Math.max(x2, p.x + half);
    y1 = Math.min(y1, p.y - half); y2 = Math.max(y2, p.y + half);
  });
  return { x1, x2, y1, y2, w: x2 - x1, h: y2 - y1 };
}

// stretch widens a drawing that is rounder than the canvas: labels are
// wide, and a round drawing would leave the wide canvas mostly empty.
function stretch(nodes) {
  const bb = nodeBox(nodes, false);
  const factor = Math.min(4, (cy.width() / Math.max(1, cy.height())) / Math.max(0.1, bb.w / Math.max(1, bb.h)));
  if (!(factor > 1.05)) return;
  const mid = (bb.x1 + bb.x2) / 2;
  nodes.positions((n) => ({ x: mid + (n.position('x') - mid) * factor, y: n.position('y') }));
}

// redraw shows what changed: `change` (the new nodes) and what follows
// from it in one Cytoscape batch, laid out there too when it is a star.
/** @param {boolean} incremental @param {() => void} [change] */
function redraw(incremental, change) {
  let drawn = false;
  cy.startBatch();
  try {
    if (change) change();
    sharedEdges();
    applyClasses();
    drawn = !incremental && layoutStar();
  } finally {
    cy.endBatch();
  }
  renderList();
  renderPathChoices();
  renderCaption();
  return drawn ? Promise.resolve() : layout(incremental);
}

// ------------------------------------------------------------ loading

// networkCentre picks the node to show: the user's choice, else the first
// actor of the filter, else the first actor of the timeline's first page.
/**
 * @param {View} view
 * @param {Promise<Item[] | undefined>} firstPage
 * @returns {Promise<string | null>}
 */
export async function networkCentre(view, firstPage) {
  if (view.center) return view.center;
  const key = view.filter.actors[0];
  const known = key && knownActor(key);
  if (known) return known.id;
  if (key) {
    const data = await gql(Q_ACTOR_ID, { key });
    return data.actor ? data.actor.id : null;
  }
  const items = (await firstPage) || [];
  for (const item of items) {
    const actor = item.__typename === 'Event' ? (item.participants[0] || {}).actor : item.speaker;
    if (actor) return actor.id;
  }
  return null;
}

// traversalFilter is the filter's range, its end moved to the slider's
// date when the slider is not at "all dates".
/** @param {View} view */
function traversalFilter(view) {
  /** @type {{ from?: string, to?: string }} */
  const f = { ...(graphFilter(view.filter) || {}) };
  if (asOf.days > 0 && asOf.value < asOf.days) f.to = isoDate(asOf.startMs + (asOf.value + 1) * DAY_MS);
  return Object.keys(f).length ? f : null;
}

/**
 * @param {View} view
 * @param {string | null} id
 */
export async function loadNetwork(view, id) {
  const signal = freshSignal('network');
  freshSignal('network-expand');
  if (!id) return showNetwork(null, null);
  const filterKey = JSON.stringify(graphFilter(view.filter));
  if (asOf.centre !== id || asOf.filterKey !== filterKey) {
    asOf.centre = null; // a new centre or range: all dates, the slider measured again below
    asOf.days = 0;
  }
  // The slider shows the view's day (asof= in the URL). A slider not yet
  // measured for this centre and range is measured from the network at
  // all dates, which is then asked for again as of the day.
  const measured = asOf.centre === id;
  if (measured) takeDay(view);
  const ask = () => gql(Q_NEIGHBORHOOD, { id, depth: view.depth, limit: view.nodes, filter: traversalFilter(view) }, signal);
  let data = await ask();
  if (!measured) {
    measureSlider(id, filterKey, view, data.neighborhood);
    if (takeDay(view)) data = await ask();
  }
  await showNetwork(id, data.neighborhood);
}

// takeDay sets the slider to the view's day and says whether that is a
// day rather than all dates; a day outside the slider's range leaves the
// view (and the URL).
/** @param {View} view @returns {boolean} */
function takeDay(view) {
  const day = view.asOf ? Math.floor((Date.parse(view.asOf) - asOf.startMs) / DAY_MS) : NaN;
  if (view.asOf && !(day >= 0 && day < asOf.days)) {
    setAsOf('');
    setHash(false);
  }
  asOf.value = day >= 0 && day < asOf.days ? day : asOf.days;
  renderSlider();
  return asOf.value < asOf.days;
}

// measureSlider sets the slider's days from the instants of the
// neighbourhood's edges, within the filter's range.
/** @param {string} id @param {string} filterKey @param {View} view @param {Subgraph} sub */
function measureSlider(id, filterKey, view, sub) {
  const times = sub.edges.map((e) => e.at).filter(Boolean).map((t) => Date.parse(/** @type {string} */ (t)));
  let lo = times.length ? Math.min(...times) : NaN, hi = times.length ? Math.max(...times) : NaN;
  if (view.filter.from) lo = Math.max(lo, Date.parse(view.filter.from));
  if (view.filter.to) hi = Math.min(hi, Date.parse(view.filter.to) - DAY_MS);
  asOf.centre = id;
  asOf.filterKey = filterKey;
  if (!(hi >= lo)) {
    asOf.days = 0;
  } else {
    asOf.startMs = Math.floor(lo / DAY_MS) * DAY_MS;
    asOf.days = Math.floor((hi - asOf.startMs) / DAY_MS) + 1;
  }
  asOf.value = asOf.days;
  renderSlider();
}

function renderSlider() {
  const input = /** @type {HTMLInputElement} */ ($('net-time'));
  input.max = String(asOf.days);
  input.dataset.start = asOf.days ? isoDate(asOf.startMs) : '';
  input.value = String(asOf.value);
  input.disabled = asOf.days === 0;
  const all = asOf.value >= asOf.days;
  $('net-time-out').textContent = all ? 'all dates' : isoDate(asOf.startMs + asOf.value * DAY_MS);
  $('net-time-out').dataset.to = all ? '' : isoDate(asOf.startMs + (asOf.value + 1) * DAY_MS);
  input.setAttribute('aria-valuetext', all ? 'all dates' : 'as of ' + isoDate(asOf.startMs + asOf.value * DAY_MS));
  $('net-time-all').hidden = all;
}

/**
 * @param {string | null} id
 * @param {Subgraph | null} sub
 */
async function showNetwork(id, sub) {
  // A reference by key ("country:SA") names the node the API puts first.
  if (sub && sub.nodes.length) id = sub.nodes[0].id;
  const same = id !== null && id === net.centre;
  const drawing = ++net.drawings;
  $('network').dataset.center = id || '';
  cy.elements().remove();
  net.nodes.clear();
  net.edges.clear();
  net.expanded.clear();
  net.path = [];
  net.pathEdges.clear();
  clearPathResult();
  // A new centre's network hides, pins and expands what the view says
  // (hide=, pin= and expand= in the URL), of the nodes it comes to have;
  // the same centre's keeps its own hidden and pinned, and expands again
  // what it had expanded (the view's list, recordMarks keeps it so). A
  // node hidden is hidden also when an expansion brings it.
  const view = currentView();
  const expansions = [...view.expanded];
  if (!same) {
    net.hidden = new Set(view.hidden.filter((hid) => hid !== id));
    net.pinned.clear();
  }
  net.centre = id;
  if (!sub) {
    $('network-caption').textContent = 'Pick an actor in the filter or the timeline.';
    $('neighbors').replaceChildren(el('li', { className: 'muted' }, 'Nothing selected.'));
    renderSlider();
    return;
  }
  net.truncated = sub.truncated;
  await redraw(false, () => {
    addSubgraph(sub.nodes, sub.edges, null);
    // Pinned nodes keep their places in the new neighbourhood.
    for (const [pid, p] of net.pinned) cy.getElementById(pid).position(p);
  });
  // In the order they were expanded: an expansion may bring the next.
  for (const eid of expansions) {
    if (drawing !== net.drawings) return;
    if (cy.getElementById(eid).length && !net.expanded.has(eid)) await grow(eid, false);
  }
  if (drawing !== net.drawings) return;
  if (!same) {
    // Marks of nodes the network does not have mark nothing, and leave
    // the URL.
    const unknown = [...net.hidden].filter((hid) => !cy.getElementById(hid).length);
    for (const hid of unknown) net.hidden.delete(hid);
    // The URL keeps no places: a pinned node from it stays where this
    // layout put it.
    const pins = view.pinned.filter((pid) => cy.getElementById(pid).length);
    if (pins.length) {
      for (const pid of pins) net.pinned.set(pid, { ...cy.getElementById(pid).position() });
      applyClasses();
      placeLabels();
    }
    if (pins.length || unknown.length) renderList();
  }
  recordMarks();
}

// recordMarks puts the hidden, pinned and expanded nodes in the view and so
// in the URL (hide=, pin=, expand=), so that a shared link shows them so too.
function recordMarks() {
  setMarks([...net.hidden], [...net.pinned.keys()], [...net.expanded]);
  setHash(false);
}

// grow adds a node's neighbourhood (EXPAND_LIMIT nodes at most, as of the
// slider's day) to the network and lays it out again, from where the nodes
// are; with unhide, a hidden node expanded comes back.
/** @param {string} id @param {boolean} unhide */
async function grow(id, unhide) {
  const signal = freshSignal('network-expand');
  const data = await gql(Q_NEIGHBORHOOD, { id, depth: 1, limit: EXPAND_LIMIT, filter: traversalFilter(currentView()) }, signal);
  net.expanded.add(id);
  if (unhide) net.hidden.delete(id);
  const near = cy.getElementById(id).position();
  const sub = data.neighborhood;
  addSubgraph(sub.nodes, sub.edges, { ...near });
  await redraw(true);
}

// expand adds a node's neighbourhood to the network, on the user's click.
/** @param {string} id */
export function expand(id) {
  if (!net.centre || !cy.getElementById(id).length) return Promise.resolve();
  return track('Network', async () => {
    await grow(id, true);
    recordMarks();
  });
}

/** @param {string} id */
export function hide(id) {
  if (id === net.centre) return;
  net.hidden.add(id);
  recordMarks();
  applyClasses();
  renderList();
  renderCaption();
  return layout(true);
}

export function unhideAll() {
  net.hidden.clear();
  recordMarks();
  applyClasses();
  renderList();
  renderCaption();
  return layout(true);
}

/** @param {string} id */
export function togglePin(id) {
  const n = cy.getElementById(id);
  if (!n.length) return;
  if (net.pinned.has(id)) net.pinned.delete(id);
  else net.pinned.set(id, { ...n.position() });
  recordMarks();
  applyClasses();
  renderList();
  placeLabels();
}

// ------------------------------------------------------------ the list

function renderCaption() {
  const centre = net.centre ? net.nodes.get(net.centre) : null;
  const nodes = cy.nodes().length, edges = net.edges.size, shown = shownElements().nodes().length;
  $('network-caption').textContent = (centre ? nodeLabel(centre) : 'Unknown node') + ' · ' + nodes + ' nodes' +
    (shown < nodes ? ' (' + shown + ' shown)' : '') + ', ' +
    edges + ' edges' + (net.truncated ? ' (cut short at the limit)' : '') +
    (net.expanded.size ? ' · ' + net.expanded.size + ' expanded' : '');
}

// renderList is the keyboard-usable twin of the canvas: every node shown,
// the centre first, then by kind and degree; the name re-centres, the
// buttons expand, pin and hide.
function renderList() {
  const centre = net.centre;
  const order = ['Actor', 'Country', 'Event', 'Statement'];
  const degreeOf = degrees();
  const degree = (id) => degreeOf.get(id) || 0;
  const rows = [...net.nodes.values()].filter((n) => !net.hidden.has(n.id) && cy.getElementById(n.id).length &&
    !cy.getElementById(n.id).hasClass('folded'))
    .sort((a, b) => Number(b.id === centre) - Number(a.id === centre) || order.indexOf(a.__typename) - order.indexOf(b.__typename) ||
      degree(b.id) - degree(a.id) || nodeLabel(a).localeCompare(nodeLabel(b)));
  $('net-hidden-count').textContent = String(net.hidden.size);
  $('net-hidden-wrap').hidden = net.hidden.size === 0;
  // The keyboard's place survives the new list: the same button of the
  // same node, or of the row now where it was (a hidden node's row goes).
  const active = /** @type {HTMLElement | null} */ (document.activeElement);
  const oldRow = active && $('neighbors').contains(active) ? active.closest('li[data-id]') : null;
  const focus = oldRow && {
    id: /** @type {HTMLElement} */ (oldRow).dataset.id,
    cls: ['neighbor', 'n-expand', 'n-pin', 'n-hide'].find((c) => active && active.classList.contains(c)) || 'neighbor',
    index: [...$('neighbors').children].indexOf(oldRow),
  };
  if (!rows.length) return $('neighbors').replaceChildren(el('li', { className: 'muted' }, 'No neighbours in this range.'));
  restoreFocusAfter(focus);
  $('neighbors').replaceChildren(...rows.map((node) => {
    const name = nodeLabel(node);
    const isCentre = node.id === centre;
    const recentre = el('button', { type: 'button', 'data-id': node.id, className: 'neighbor ' + NODE_TYPES[node.__typename],
      title: isCentre ? 'The centre' : 'Re-centre the network on ' + name },
    el('span', { className: 'swatch', 'aria-hidden': 'true' }),
    el('span', { className: 'n-name' }, truncate(name, 70)),
    el('span', { className: 'n-edge' }, node.__typename + (node.__typename === 'Event' ? ' · ' + shortDate(node.occurredAt || '', node.precision) : '') +
      ' · ' + degree(node.id) + (degree(node.id) === 1 ? ' tie' : ' ties') + (isCentre ? ' · centre' : '')));
    recentre.addEventListener('click', () => emit('centre', node.id));
    const expandB = el('button', { type: 'button', className: 'n-act n-expand', 'aria-label': 'Expand ' + name, title: 'Expand: add its neighbours',
      disabled: net.expanded.has(node.id) }, '+');
    expandB.addEventListener('click', () => expand(node.id));
    const pinB = el('button', { type: 'button', className: 'n-act n-pin', 'aria-label': 'Pin ' + name, title: 'Pin: keep its place',
      'aria-pressed': String(net.pinned.has(node.id)) }, 'pin');
    pinB.addEventListener('click', () => togglePin(node.id));
    const hideB = el('button', { type: 'button', className: 'n-act n-hide', 'aria-label': 'Hide ' + name, title: 'Hide', disabled: isCentre }, '×');
    hideB.addEventListener('click', () => hide(node.id));
    return el('li', { 'data-id': node.id }, recentre, el('span', { className: 'n-acts' }, expandB, pinB, hideB));
  }));
}

/** @param {{ id: string | undefined, cls: string, index: number } | null} focus */
function restoreFocusAfter(focus) {
  if (!focus) return;
  queueMicrotask(() => {
    const list = $('neighbors');
    const row = [...list.querySelectorAll('li[data-id]')].find((li) => /** @type {HTMLElement} */ (li).dataset.id === focus.id) ||
      list.children[Math.min(focus.index, list.children.length - 1)];
    if (!row) return;
    const b = /** @type {HTMLButtonElement | null} */ (row.querySelector('.' + focus.cls + ':not(:disabled)') || row.querySelector('.neighbor'));
    if (b) b.focus();
  });
}

// ------------------------------------------------------------ the path tool

function renderPathChoices() {
  const actors = [...net.nodes.values()].filter((n) => n.__typename === 'Actor');
  $('net-path-actors').replaceChildren(...actors.map((n) => el('option', { value: nodeLabel(n) })));
  // The start is the centre, until the user types another.
  const from = /** @type {HTMLInputElement} */ ($('net-path-from'));
  const centre = net.centre && net.nodes.get(net.centre);
  if (!from.value || from.value === from.dataset.auto) {
    from.value = centre && centre.__typename === 'Actor' ? nodeLabel(centre) : '';
    from.dataset.auto = from.value;
  }
}

// pathEnd reads a path field: an actor of the network by its label, else
// an actor key.
/** @param {string} text */
function pathEnd(text) {
  const t = text.trim();
  for (const n of net.nodes.values()) if (n.__typename === 'Actor' && nodeLabel(n) === t) return n.id;
  return t ? 'actor:' + t : '';
}

function clearPathResult() {
  $('net-path-result').hidden = true;
  $('net-path-result').replaceChildren();
  $('net-path-clear').hidden = true;
}

async function findPath() {
  const from = pathEnd(/** @type {HTMLInputElement} */ ($('net-path-from')).value);
  const to = pathEnd(/** @type {HTMLInputElement} */ ($('net-path-to')).value);
  const chronological = /** @type {HTMLInputElement} */ ($('net-path-chrono')).checked;
  const box = $('net-path-result');
  box.hidden = false;
  if (!from || !to) {
    box.replaceChildren(el('p', { className: 'error' }, 'Name both ends: an actor in the network or an actor key.'));
    return;
  }
  box.dataset.state = 'loading';
  box.replaceChildren(el('p', { className: 'muted' }, 'Looking for a path…'));
  try {
    const data = await gql(Q_SHORTEST_PATH, { from, to, chronological, filter: traversalFilter(currentView()) }, freshSignal('network-path'));
    showPath(data.shortestPath, chronological);
  } catch (err) {
    if (err && err.name === 'AbortError') return;
    box.replaceChildren(el('p', { className: 'error' }, 'No path: ' + err.message));
  }
  box.dataset.state = 'done';
}

/**
 * @param {{ length: number, nodes: GNode[], edges: GEdge[] } | null} path
 * @param {boolean} chronological
 */
async function showPath(path, chronological) {
  const box = $('net-path-result');
  $('net-path-clear').hidden = false;
  net.path = [];
  net.pathEdges.clear();
  if (!path) {
    box.replaceChildren(el('p', {}, 'No ' + (chronological ? 'chronological ' : '') + 'path of at most 4 steps.'));
    box.dataset.path = '';
    applyClasses();
    placeLabels();
    return;
  }
  const near = cy.getElementById(path.nodes[0].id);
  addSubgraph(path.nodes, path.edges, near.length ? { ...near.position() } : null);
  net.path = path.nodes.map((n) => n.id);
  for (const e of path.edges) net.pathEdges.add('e:' + edgeKey(e));
  for (const id of net.path) net.hidden.delete(id);
  recordMarks();
  box.dataset.path = net.path.join(' ');
  const steps = [];
  path.nodes.forEach((n, i) => {
    const go = el('button', { type: 'button', className: 'p-go', title: 'Re-centre the network on it' }, nodeLabel(n));
    go.addEventListener('click', () => emit('centre', n.id));
    steps.push(el('li', { className: 'p-node ' + NODE_TYPES[n.__typename], 'data-id': n.id }, go));
    const e = path.edges[i];
    if (e) {
      const forward = e.from.id === n.id;
      steps.push(el('li', { className: 'p-edge' }, (forward ? '→ ' : '← ') + edgeLabel(e) + (e.at ? ' (' + e.at.slice(0, 10) + ')' : '')));
    }
  });
  box.replaceChildren(el('p', {}, (chronological ? 'Chronological path' : 'Shortest path') + ', ' + path.length + ' step' + (path.length === 1 ? '' : 's') + ':'),
    el('ol', { className: 'path-steps' }, ...steps));
  await redraw(true);
}

function clearPath() {
  net.path = [];
  net.pathEdges.clear();
  clearPathResult();
  applyClasses();
  placeLabels();
}

// folded says whether events are folded into the actors' shared-event
// edges ("actors only"): the network of who acts with whom.
function folded() { return /** @type {HTMLInputElement} */ ($('net-fold')).checked; }

function bindTools() {
  $('net-fold').addEventListener('change', () => {
    if (!net.centre) return;
    applyClasses();
    renderList();
    renderCaption();
    layout(false);
  });
  const input = /** @type {HTMLInputElement} */ ($('net-time'));
  const reload = debounce(() => track('Network', () => loadNetwork(currentView(), net.centre)), 250);
  // The slider's day goes into the URL (asof=), so that a shared link shows
  // the network as of it.
  /** @param {number} value */
  const slide = (value) => {
    asOf.value = value;
    renderSlider();
    setAsOf(value >= asOf.days ? '' : isoDate(asOf.startMs + value * DAY_MS));
    setHash(false);
    reload();
  };
  input.addEventListener('input', () => slide(Number(input.value)));
  $('net-time-all').addEventListener('click', () => slide(asOf.days));
  $('net-path').addEventListener('submit', (/** @type {Event} */ e) => {
    e.preventDefault();
    track('Network path', findPath);
  });
  $('net-path-clear').addEventListener('click', clearPath);
  $('net-unhide').addEventListener('click', unhideAll);
  renderSlider();
}

// observeResize lays the network out again when its pane changes size.
export function observeResize() {
  // Cytoscape and Leaflet follow window resizes only; the grid also
  // resizes their panes when the filter bar wraps or the types load.
  // A viewport the user has zoomed or panned stays theirs. Until the
  // debounced fit, the network says it is resizing (data-layout), so that
  // no one takes the places of its nodes for final.
  const refit = debounce(() => {
    const untouched = viewportKey() === fittedAt;
    cy.resize();
    const state = $('network').dataset.layout;
    if (untouched && (state === 'done' || state === 'resizing')) {
      fitNodes(shownElements().nodes());
      placeLabels();
    }
    if (state === 'resizing') $('network').dataset.layout = 'done';
  }, 100);
  new ResizeObserver(() => {
    if ($('network').dataset.layout === 'done') $('network').dataset.layout = 'resizing';
    refit();
  }).observe($('network'));
}
