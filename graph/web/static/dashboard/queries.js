// @ts-check
// The GraphQL documents the dashboard sends. Each lives in its own file in
// graphql/ (Timeline.graphql holds query Timeline; fragments.graphql the
// fragments they share), which a Go test validates against the schema; the
// server hands them over as one object, each operation with the fragments it
// spreads appended. Loading them holds every module that imports this one
// until they have arrived (a top-level await). (resolveActorNames in
// actors.js builds one more in code: an alias per key.)

const response = await fetch('/assets/dashboard/documents.json');
if (!response.ok) throw new Error('the dashboard\'s GraphQL documents: HTTP ' + response.status);
/** @type {Record<string, string>} */
const documents = await response.json();

/**
 * doc is the document of one operation; a name that has no file fails at
 * load, not at the first request.
 * @param {string} name
 * @returns {string}
 */
function doc(name) {
  const text = documents[name];
  if (!text) throw new Error('no GraphQL document named ' + name + ' in graphql/');
  return text;
}

export const Q_TIMELINE = doc('Timeline');
export const Q_TOTAL = doc('TimelineTotal');
export const Q_EXTENT = doc('EventExtent');
export const Q_COUNTS = doc('EventCounts');
export const Q_HISTOGRAM = doc('HistogramCounts');
export const Q_NEIGHBORHOOD = doc('Neighborhood');
export const Q_SHORTEST_PATH = doc('ShortestPath');
export const Q_SEARCH = doc('ActorSearch');
export const Q_EVENT_TYPES = doc('EventTypes');
export const Q_ACTOR_ID = doc('ActorId');
export const Q_EVENT_PAGE = doc('EventPage');
export const Q_EVENT_CHAIN = doc('EventChain');
export const S_TIMELINE = doc('Live');
