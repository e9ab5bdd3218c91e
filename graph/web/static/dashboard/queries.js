// @ts-check
// The GraphQL documents the dashboard sends, each a whole operation with the
// fragments it spreads appended. They are plain strings: every other module
// imports the ones it runs. (resolveActorNames in actors.js and networkCentre
// in network.js build two more in code.)

const ITEM_FRAGMENTS = `
fragment EventFields on Event {
id key type title occurredAt precision fatalities
location { place lat lon country { code name } }
participants { role actor { id key name } }
sources { key title url publisher }
}
fragment StatementFields on Statement {
id key kind madeAt precision text
speaker { id key name } deliveredBy { id key name } addressees { id key name }
sources { key title url publisher }
}`;

export const Q_TIMELINE = `query Timeline($filter: TimelineFilter, $order: SortOrder, $first: Int!, $after: String, $withTotal: Boolean!) {
timeline(filter: $filter, order: $order, first: $first, after: $after) {
  totalCount @include(if: $withTotal)
  pageInfo { hasNextPage endCursor }
  nodes { __typename ...EventFields ...StatementFields }
}
}` + ITEM_FRAGMENTS;

export const Q_TOTAL = `query TimelineTotal($filter: TimelineFilter) {
timeline(filter: $filter, first: 0) { totalCount }
}`;

export const Q_EXTENT = `query EventExtent($filter: EventFilter) {
first: events(filter: $filter, first: 1) { nodes { occurredAt } }
last: events(filter: $filter, order: DESC, first: 1) { nodes { occurredAt } }
}`;

export const Q_COUNTS = `query EventCounts($filter: EventFilter, $interval: Interval!, $groupBy: CountGroup) {
eventCounts(filter: $filter, interval: $interval, groupBy: $groupBy) { start key count fatalities }
}`;

export const Q_NEIGHBORHOOD = `query Neighborhood($id: ID!, $depth: Int!, $limit: Int!, $filter: GraphFilter) {
neighborhood(id: $id, depth: $depth, limit: $limit, filter: $filter) {
  truncated
  nodes {
    __typename id
    ... on Actor { name actorKind: kind }
    ... on Country { name code }
    ... on Event { title type }
    ... on Statement { statementKind: kind speaker { name } }
  }
  edges { kind role from { id } to { id } }
}
}`;

export const Q_SEARCH = `query ActorSearch($text: String!) {
search(text: $text, first: 20) { node { __typename ... on Actor { id key name kind } } }
}`;

export const Q_EVENT_TYPES = `query EventTypes { __type(name: "EventType") { enumValues { name } } }`;

export const Q_COUNTRIES = `query Countries($after: String) {
countries(first: 100, after: $after) { nodes { code numeric } pageInfo { hasNextPage endCursor } }
}`;

export const S_TIMELINE = `subscription Live($filter: TimelineFilter) {
timelineUpdated(filter: $filter) { __typename ...EventFields ...StatementFields }
}` + ITEM_FRAGMENTS;
