package browsertest

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// exportTools is the node_modules directory that tools/install.sh fills
// with the libraries the exports are opened in ($GEOTIMELINE_EXPORT_TOOLS,
// the directory the script prints). Without it the tests skip, or fail
// when browser tests are required, as with a missing Chromium.
func exportTools(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("GEOTIMELINE_EXPORT_TOOLS")
	if dir == "" {
		msg := "GEOTIMELINE_EXPORT_TOOLS is not set: run graph/browsertest/tools/install.sh and set it to the directory it prints"
		if os.Getenv("GEOTIMELINE_BROWSER_TESTS") == "require" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if _, err := os.Stat(filepath.Join(dir, "@knight-lab", "timelinejs", "package.json")); err != nil {
		t.Fatalf("GEOTIMELINE_EXPORT_TOOLS=%s holds no TimelineJS (run graph/browsertest/tools/install.sh): %v", dir, err)
	}
	return dir
}

// page serves one fixed HTML document.
func page(html string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(html))
	})
}

// timelinePage embeds TimelineJS as its documentation says (its script and
// stylesheet, then new TL.Timeline on an element) with the export as data.
// script_path is given because TimelineJS defaults it to its CDN, not to
// where timeline.js was loaded from, and loads its font stylesheet from
// there: an embed offline or on 127.0.0.1 has to name it. font is null
// because the default font's stylesheet loads Google Fonts.
const timelinePage = `<!doctype html>
<html><head><meta charset="utf-8"><title>TimelineJS</title>
<link rel="stylesheet" href="/tools/timelinejs/css/timeline.css">
<script src="/tools/timelinejs/js/timeline.js"></script>
</head><body>
<div id="timeline" style="width: 1200px; height: 700px"></div>
<script>
fetch('/export/timelinejs').then(r => r.json()).then(data => {
	window.exported = data;
	// A copy: TimelineJS rewrites the data it is given (ids, dates).
	window.timeline = new TL.Timeline('timeline', structuredClone(data),
		{script_path: new URL('/tools/timelinejs/js/', location.href).href, font: null});
	window.timeline.on('loaded', () => { window.timelineLoaded = true; });
});
</script>
</body></html>`

// TestTimelineJSOpensExport opens /export/timelinejs in TimelineJS 3, the
// library the format is for: every exported event and statement must become
// a slide, with its date and headline as an analyst would read them.
func TestTimelineJSOpensExport(t *testing.T) {
	tools := exportTools(t)
	dist := filepath.Join(tools, "@knight-lab", "timelinejs", "dist")
	s := openWith(t, false, map[string]http.Handler{
		"GET /tools/timelinejs/": http.StripPrefix("/tools/timelinejs/", http.FileServer(http.Dir(dist))),
		"GET /test/timelinejs":   page(timelinePage),
	})
	// The demo's dates are days and intervals of days; a month-precision
	// event shows whether TimelineJS reads a date without its day.
	s.graphql(`mutation { upsertEvent(input: {key: "month-dated", type: MEETING, title: "Talks <held> in May", occurredAt: "2025-05"}) { key } }`, nil)
	// Events and statements have keys of their own, and the export's title
	// slide is "geotimeline": TimelineJS renames a slide whose id is taken,
	// which breaks links to it.
	s.graphql(`mutation { upsertStatement(input: {key: "month-dated", kind: QUOTE, speaker: "india", madeAt: "2025-05-20", text: "Talks went well"}) { key } }`, nil)
	s.graphql(`mutation { upsertEvent(input: {key: "geotimeline", type: MEETING, title: "Named like the title", occurredAt: "2025-05-21"}) { key } }`, nil)
	// The store keeps milliseconds.
	s.graphql(`mutation { upsertEvent(input: {key: "to-the-millisecond", type: MEETING, title: "Timed", occurredAt: "2025-05-07T01:05:30.250Z"}) { key } }`, nil)

	s.run("open the TimelineJS page", chromedp.Navigate(s.base+"/test/timelinejs"))
	s.waitJS("TimelineJS to load the export", `window.timelineLoaded === true`)

	// TimelineJS drops a slide it cannot read (a bad date) without a
	// console error, logging it in its config instead.
	var rejected []string
	s.eval(`window.timeline.config.getErrors().map(String)`, &rejected)
	if len(rejected) > 0 {
		t.Errorf("TimelineJS rejected slides: %q", rejected)
	}
	var exported int
	s.eval(`window.exported.events.length`, &exported)
	// The demo's 6 events and 6 statements, and the four added above.
	if exported != 16 {
		t.Errorf("the export holds %d slides, want 16", exported)
	}
	var built struct {
		Slides int `json:"slides"`
		DOM    int `json:"dom"`
		Title  int `json:"title"`
	}
	s.eval(`({slides: window.timeline._storyslider._slides.length,
		dom: document.querySelectorAll('.tl-slide:not(.tl-slide-titleslide)').length,
		title: document.querySelectorAll('.tl-slide-titleslide').length})`, &built)
	// TimelineJS puts the export's title first as a slide of its own.
	if built.Slides != 1+16 || built.DOM != 16 || built.Title != 1 {
		t.Errorf("TimelineJS built %d slides (%d in the page and %d title slides), want 17: the title and 16", built.Slides, built.DOM, built.Title)
	}
	var renamed []string
	s.eval(`(() => { const ids = new Set(window.exported.events.map(e => e.unique_id));
		return window.timeline.config.events.map(e => e.unique_id).filter(id => !ids.has(id)); })()`, &renamed)
	if len(renamed) > 0 {
		t.Errorf("TimelineJS renamed slides to %q: their ids clash", renamed)
	}

	var month struct {
		Date     string `json:"date"`
		Headline string `json:"headline"`
	}
	s.eval(`(() => { const el = document.getElementById('event:month-dated');
		return {date: el.querySelector('.tl-headline-date').textContent, headline: el.querySelector('.tl-headline').textContent}; })()`, &month)
	if month.Date != "2025-05" {
		t.Errorf("the month-dated event's slide shows the date %q, want 2025-05", month.Date)
	}
	// Escaped by the export, so shown as written rather than as markup.
	if month.Headline != "Talks <held> in May" {
		t.Errorf("the month-dated event's headline reads %q", month.Headline)
	}
	// Where TimelineJS places the slides on its time axis: its own reading
	// of the dates, in the page's time zone (so local fields, and no
	// assumption about the machine's zone).
	var placed []string
	s.eval(`['event:month-dated', 'event:to-the-millisecond'].map(id => {
		const d = window.timeline.config.event_dict[id].start_date.data.date_obj;
		return [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()].join(' ');
	})`, &placed)
	if want := []string{"2025 5 1 0 0 0 0", "2025 5 7 1 5 30 250"}; !slices.Equal(placed, want) {
		t.Errorf("TimelineJS places the month and the millisecond events at %q, want %q", placed, want)
	}
	var headline string
	s.eval(`document.getElementById('event:india-retaliatory-strikes').querySelector('.tl-headline').textContent`, &headline)
	if want := "India's precision retaliatory strikes on nine locations across Pakistan and Pakistan-occupied Kashmir"; headline != want {
		t.Errorf("the strikes' headline reads %q, want %q", headline, want)
	}
}

// leafletPage puts an export on a Leaflet map with L.geoJSON, the way a
// page that embeds the export would, using the Leaflet the binary serves.
// Points become circle markers, as on the dashboard: the binary vendors no
// marker images for Leaflet's default icon. No tile layer: only 127.0.0.1.
const leafletPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>Leaflet</title>
<link rel="stylesheet" href="/assets/vendor/leaflet.css">
<script src="/assets/vendor/leaflet.js"></script>
</head><body>
<div id="map" style="width: 1200px; height: 700px"></div>
<script>
window.map = L.map('map').setView([20, 0], 2);
window.load = query => fetch('/export/geojson' + query).then(r => r.json()).then(data => {
	if (window.layer) window.layer.remove();
	window.layer = L.geoJSON(data, {pointToLayer: (feature, latlng) => L.circleMarker(latlng)}).addTo(window.map);
	window.loaded = query;
});
</script>
</body></html>`

// marker is one layer of the GeoJSON layer: its event and position.
type marker struct {
	Key string  `json:"key"`
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// TestLeafletOpensGeoJSON puts /export/geojson, whole and filtered, on a
// Leaflet map: one marker per event with coordinates, where the event is
// (GeoJSON writes [lon, lat], so a swap would put Pahalgam in the Barents Sea).
func TestLeafletOpensGeoJSON(t *testing.T) {
	s := openWith(t, false, map[string]http.Handler{"GET /test/leaflet": page(leafletPage)})
	s.run("open the Leaflet page", chromedp.Navigate(s.base+"/test/leaflet"))
	s.waitJS("Leaflet", `window.load !== undefined`)

	markers := func(query string) []marker {
		t.Helper()
		s.eval(`window.load(`+strconv.Quote(query)+`), true`, new(bool))
		s.waitJS("the export on the map", `window.loaded === `+strconv.Quote(query))
		var out []marker
		s.eval(`window.layer.getLayers().map(l => ({key: l.feature.properties.key, lat: l.getLatLng().lat, lng: l.getLatLng().lng}))`, &out)
		return out
	}
	// Of the demo's 6 events, 2 have coordinates.
	want := []marker{{"pahalgam-attack", 34.0161, 75.315}, {"perdue-swearing-in", 38.8977, -77.0365}}
	if got := markers(""); !slices.Equal(got, want) {
		t.Errorf("the map shows %v, want %v", got, want)
	}
	if got := markers("?countries=US"); !slices.Equal(got, want[1:]) {
		t.Errorf("with countries=US the map shows %v, want %v", got, want[1:])
	}
	var drawn int
	s.eval(`document.querySelectorAll('#map path.leaflet-interactive').length`, &drawn)
	if drawn != 1 {
		t.Errorf("%d markers drawn on the map, want 1", drawn)
	}
}
