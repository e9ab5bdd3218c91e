// The vendored libraries the dashboard loads as classic scripts
// (static/vendor, see dashboard.html), as the globals they define. Declared
// loosely: the type check is about the dashboard's own modules, and these
// packages' typings (where they ship any) describe ES module imports, not
// these UMD globals.

/** cytoscape.min.js, with cytoscape-fcose.js registered on it. */
declare var cytoscape: any;
/** leaflet.js, with leaflet.markercluster.js's L.markerClusterGroup. */
declare var L: any;
/** topojson-client.min.js. */
declare var topojson: any;
/** graphql-ws.min.js (its UMD build's global). */
declare var graphqlWs: any;

// querySelectorAll gives elements typed `any`, as dom.js's $(id) does:
// lib.dom types a selector's matches as Element, which has no dataset,
// value or checked, and the dashboard's selectors name its own markup.
// (This overload comes before lib.dom's, so it applies to bare tag names too.)
interface ParentNode {
  querySelectorAll<E extends Element = any>(selectors: string): NodeListOf<E>;
}
