// @ts-check
// The network: the neighbourhood of one node (the centre) on a Cytoscape
// canvas, laid out in rings, with its direct neighbours listed as buttons.

import { $, el, humanize, truncate, debounce } from './util.js';
import { gql, freshSignal } from './api.js';
import { Q_NEIGHBORHOOD, Q_ACTOR_ID } from './queries.js';
import { graphFilter } from './filter.js';
import { knownActor } from './actors.js';
import { emit } from './state.js';

/** @typedef {import('./filter.js').View} View */
/** @typedef {import('./timeline.js').Item} Item */

/** @type {any} the vendored Cytoscape, a classic script */
const cytoscape = /** @type {any} */ (window).cytoscape;

const NETWORK_LIMIT = 60;

/** @type {any} */
let cy = null;
let laidOut = null; // { id, edges } of the network shown, to lay it out again on resize

const RING_SIZE = 18;
// Past this many nodes only the centre and the node under the pointer are
// labelled on the canvas; the neighbours list names them all.
const DENSE_NODES = 24;
const NODE_TYPES = { Actor: 'actor', Country: 'country', Event: 'event', Statement: 'statement' };

export function createNetwork() {
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
  cy.on('tap', 'node', (e) => emit('centre', e.target.id()));
  cy.on('mouseover', 'node', (e) => e.target.union(e.target.connectedEdges()).addClass('hover'));
  cy.on('mouseout', 'node', (e) => e.target.union(e.target.connectedEdges()).removeClass('hover'));
  /** @type {any} */ (window).dashboard.cy = cy;
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

/**
 * @param {View} view
 * @param {string | null} id
 */
export async function loadNetwork(view, id) {
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
    button.addEventListener('click', () => emit('centre', node.id));
    return el('li', {}, button);
  }));
}

// observeResize lays the network out again when its pane changes size.
export function observeResize() {
  // Cytoscape and Leaflet follow window resizes only; the grid also
  // resizes their panes when the filter bar wraps or the types load.
  new ResizeObserver(debounce(() => {
    cy.resize();
    if (laidOut) layoutRings(laidOut.id, laidOut.edges);
  }, 100)).observe($('network'));
}
