package web

import (
	"encoding/json"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db/iso3166"
)

// The pages and assets are served with the headers that keep them offline
// and safe, and the asset tree is not listed.
func TestServe(t *testing.T) {
	mux := http.NewServeMux()
	Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		path, status, contentType, csp, contains string
	}{
		{"/", "200", "text/html; charset=utf-8", contentSecurityPolicy, `<script src="/assets/playground.js">`},
		{"/dashboard", "200", "text/html; charset=utf-8", contentSecurityPolicy, `<script type="module" src="/assets/dashboard/main.js">`},
		{"/assets/dashboard/main.js", "200", "text/javascript; charset=utf-8", "", "import "},
		{"/assets/vendor/graphiql.min.js", "200", "text/javascript; charset=utf-8", "", "GraphiQL"},
		{"/assets/vendor/countries-110m.json", "200", "application/json", "", `"countries"`},
		{"/assets/vendor/VERSIONS", "200", "text/plain; charset=utf-8", "", "graphiql 4.1.2\n"},
		// The network's layout and the map's clusters for real data (issue 14), vendored ahead of the code that uses them.
		{"/assets/vendor/cytoscape-fcose.js", "200", "text/javascript; charset=utf-8", "", "fcose"},
		{"/assets/vendor/leaflet.markercluster.js", "200", "text/javascript; charset=utf-8", "", "MarkerClusterGroup"},
		{"/assets/dashboard/documents.json", "200", "application/json", "", `"Timeline":"query Timeline(`},
		{"/assets/dashboard/country-numerics.json", "200", "application/json", "", `"IN":"356"`},
		{"/favicon.ico", "200", "image/svg+xml", "", "<svg"},
		{"/assets/", "404", "text/plain; charset=utf-8", "", ""},
		{"/assets/vendor/", "404", "text/plain; charset=utf-8", "", ""},
		{"/assets/nothing.js", "404", "text/plain; charset=utf-8", "", ""},
	}
	for _, tt := range tests {
		res, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if got := res.Status[:3]; got != tt.status {
			t.Errorf("%s: status %s, want %s", tt.path, got, tt.status)
		}
		if got := res.Header.Get("Content-Type"); got != tt.contentType {
			t.Errorf("%s: Content-Type %q, want %q", tt.path, got, tt.contentType)
		}
		if got := res.Header.Get("Content-Security-Policy"); got != tt.csp {
			t.Errorf("%s: Content-Security-Policy %q, want %q", tt.path, got, tt.csp)
		}
		if got := res.Header.Get("X-Content-Type-Options"); tt.status == "200" && got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", tt.path, got)
		}
		if !strings.Contains(string(body), tt.contains) {
			t.Errorf("%s: body does not contain %q", tt.path, tt.contains)
		}
	}
}

// No page or script of ours names another origin: everything comes from
// the binary.
func TestNoExternalURLs(t *testing.T) {
	for _, name := range append([]string{"playground.html", "playground.js", "dashboard.html", "dashboard.css", "playground.css"}, DashboardScripts()...) {
		b, err := static.ReadFile("static/" + name)
		if err != nil {
			t.Fatal(err)
		}
		// The SVG namespace is a name, not a place anything is loaded from.
		text := strings.ReplaceAll(string(b), "http://www.w3.org/2000/svg", "")
		for _, scheme := range []string{"http://", "https://", "//cdn", "//fonts."} {
			if i := strings.Index(text, scheme); i >= 0 {
				t.Errorf("%s names an external URL: %.80q", name, text[i:])
			}
		}
	}
}

// The map's table of numeric codes is the built-in countries': every one
// that ISO 3166-1 numbers, by its alpha-2 code, and no other.
func TestCountryNumerics(t *testing.T) {
	var got map[string]string
	if err := json.Unmarshal(countryNumericsJSON(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, c := range iso3166.All() {
		if n, ok := iso3166.Numeric(c.Code); ok {
			want[c.Code] = n
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("the table has %d codes, want the %d numbered countries", len(got), len(want))
	}
	for code, numeric := range map[string]string{"IN": "356", "PK": "586", "US": "840", "SA": "682", "FJ": "242"} {
		if got[code] != numeric {
			t.Errorf("%s = %q, want %q", code, got[code], numeric)
		}
	}
	if len(want) < 240 {
		t.Errorf("only %d numbered countries", len(want))
	}
}

// TestOperationNames checks that the names are read from the pages'
// scripts and the playground's examples (static/examples.json, which
// TestExamplesMatchReadme keeps equal to the README's).
func TestOperationNames(t *testing.T) {
	want := []string{"ActorId", "ActorNames", "ActorSearch", "AttackToCallInTime", "AttackersToRubio", "Changes", "CodedAssaults", "EventChain", "EventCounts", "EventExtent",
		"EventPage", "EventTypes", "HistogramCounts", "IndiaCounterparts", "Live", "MonthlySpread", "Neighborhood", "PahalgamAttack", "PakistanAttacksAndStrikes", "PerdueTies",
		"RubioCalls", "RubioNeighborhood", "RubioOnStrikes", "Runs", "SearchPahalgam", "ShortestPath", "StrikesChain", "Timeline", "TimelineTotal",
		"UnderWayEarlyMay", "WeeklyCounts", "WholeStory"}
	if got := OperationNames(); !slices.Equal(got, want) {
		t.Errorf("names = %v\nwant %v", got, want)
	}
}

// The dashboard's modules import one another by relative paths that the
// binary serves, and each is served as JavaScript, which a browser
// requires of a module script.
func TestDashboardModules(t *testing.T) {
	mux := http.NewServeMux()
	Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	importFrom := regexp.MustCompile(`(?m)^import\b[^;]*?from '([^']+)';`)
	for _, name := range DashboardScripts() {
		res, err := http.Get(srv.URL + "/assets/" + name)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if ct := res.Header.Get("Content-Type"); res.StatusCode != 200 || ct != "text/javascript; charset=utf-8" {
			t.Errorf("%s: %d %q, want 200 text/javascript", name, res.StatusCode, ct)
		}
		if !strings.HasPrefix(string(body), "// @ts-check\n") {
			t.Errorf("%s does not start with // @ts-check", name)
		}
		for _, m := range importFrom.FindAllStringSubmatch(string(body), -1) {
			if !strings.HasPrefix(m[1], "./") {
				t.Errorf("%s imports %q, not a relative path", name, m[1])
				continue
			}
			target := path.Join(path.Dir(name), m[1])
			if _, err := fs.Stat(files, target); err != nil {
				t.Errorf("%s imports %q, which is not served: %v", name, m[1], err)
			}
		}
	}
}

// The dashboard's page preloads every module (a module is otherwise found
// only when the one importing it has arrived: four round trips deep) and
// nothing that is not one.
func TestDashboardPreloads(t *testing.T) {
	b, err := fs.ReadFile(files, "dashboard.html")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range regexp.MustCompile(`<link rel="modulepreload" href="/assets/([^"]+)">`).FindAllStringSubmatch(string(b), -1) {
		got = append(got, m[1])
	}
	slices.Sort(got)
	if want := DashboardScripts(); !slices.Equal(got, want) {
		t.Errorf("dashboard.html preloads %q; the modules are %q", got, want)
	}
	for _, asset := range []string{"dashboard/documents.json", "dashboard/country-numerics.json", "vendor/countries-110m.json"} {
		if !strings.Contains(string(b), `<link rel="preload" href="/assets/`+asset+`" as="fetch" crossorigin>`) {
			t.Errorf("dashboard.html does not preload %s", asset)
		}
	}
}
