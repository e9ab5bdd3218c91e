package browsertest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// downloadFilter is the filter the download tests set in the form: a
// country (alpha-3, as an analyst may type it) and a range, which on the
// real samples holds more items than one page of the list, statements
// among them, events with and without coordinates.
var downloadFilter = map[string]any{"countries": []string{"IND"}, "from": "2019-01-01", "to": "2026-01-01"}

// apiItem is one item of the API's whole timeline for a filter.
type apiItem struct {
	Typename string `json:"__typename"`
	Key      string `json:"key"`
	Location *struct {
		Lat *float64 `json:"lat"`
		Lon *float64 `json:"lon"`
	} `json:"location"`
}

func (it apiItem) node() string {
	if it.Typename == "Event" {
		return "event:" + it.Key
	}
	return "statement:" + it.Key
}

func (it apiItem) located() bool {
	return it.Location != nil && it.Location.Lat != nil && it.Location.Lon != nil
}

// apiAll asks the API for every item of the timeline for filter, in the
// timeline's order, a page of 100 at a time.
func (s *site) apiAll(filter map[string]any) []apiItem {
	s.t.Helper()
	return timelinePages[apiItem](s, filter, `__typename ... on Event { key location { lat lon } } ... on Statement { key }`)
}

// timelinePages is every item of the timeline for filter, in its order,
// read 100 at a time, each decoded into T from the given node selection.
func timelinePages[T any](s *site, filter map[string]any, selection string) []T {
	s.t.Helper()
	var all []T
	var after any
	for {
		var r struct {
			Timeline struct {
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
				Nodes []T `json:"nodes"`
			} `json:"timeline"`
		}
		data := s.graphql(`query($f: TimelineFilter, $after: String) { timeline(filter: $f, first: 100, after: $after) {
			pageInfo { hasNextPage endCursor } nodes { `+selection+` } } }`,
			map[string]any{"f": filter, "after": after})
		if err := json.Unmarshal(data, &r); err != nil {
			s.t.Fatal(err)
		}
		all = append(all, r.Timeline.Nodes...)
		if !r.Timeline.PageInfo.HasNextPage {
			return all
		}
		after = r.Timeline.PageInfo.EndCursor
	}
}

// downloads records the files the browser saves, by download GUID.
type downloads struct {
	dir  string
	mu   sync.Mutex
	name map[string]string // GUID → the suggested file name
	done map[string]bool   // GUID → completed
	seen []string          // GUIDs in the order the downloads began
}

// watchDownloads makes the browser save downloads into a directory of the
// test's, named by GUID, and reports them.
func (s *site) watchDownloads() *downloads {
	s.t.Helper()
	d := &downloads{dir: s.t.TempDir(), name: map[string]string{}, done: map[string]bool{}}
	chromedp.ListenTarget(s.ctx, func(ev any) {
		d.mu.Lock()
		defer d.mu.Unlock()
		switch ev := ev.(type) {
		case *browser.EventDownloadWillBegin:
			d.name[ev.GUID] = ev.SuggestedFilename
			d.seen = append(d.seen, ev.GUID)
		case *browser.EventDownloadProgress:
			if ev.State == browser.DownloadProgressStateCompleted {
				d.done[ev.GUID] = true
			}
		}
	})
	s.run("let the browser save downloads", browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllowAndName).
		WithDownloadPath(d.dir).WithEventsEnabled(true))
	return d
}

// download clicks a format's link in the Download menu, waits until the
// browser has saved the file, and returns its name, its content and the
// link's href (the export the page pointed at).
func (s *site) download(d *downloads, format string) (name string, body []byte, href string) {
	s.t.Helper()
	d.mu.Lock()
	before := len(d.seen)
	d.mu.Unlock()
	s.eval(`document.getElementById('downloads').open = true`, nil)
	s.run("click the "+format+" download", chromedp.Click(`#dl-`+format, chromedp.ByID))
	// Polled for up to a minute (waitFor's few seconds are short for a
	// browser saving a file on a loaded machine).
	var guid string
	saved := func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		if len(d.seen) > before {
			guid = d.seen[before]
			return d.done[guid]
		}
		return false
	}
	for deadline := time.Now().Add(time.Minute); !saved(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for the %s download to be saved", format)
		}
	}
	body, err := os.ReadFile(filepath.Join(d.dir, guid))
	if err != nil {
		s.t.Fatal(err)
	}
	s.eval(`document.getElementById('dl-`+format+`').getAttribute('href')`, &href)
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.name[guid], body, href
}

// fetchHref GETs one of the page's export links as a client would, with
// the token or not.
func (s *site) fetchHref(href, token string) (int, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.base+href, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return res.StatusCode, b
}

// csvKeys are the key column of a CSV export, in order.
func csvKeys(t *testing.T, body []byte) []string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("the CSV download: %v (%d rows)", err, len(rows))
	}
	col := slices.Index(rows[0], "key")
	if col < 0 {
		t.Fatalf("the CSV download has no key column: %v", rows[0])
	}
	var keys []string
	for _, r := range rows[1:] {
		keys = append(keys, r[col])
	}
	return keys
}

// timelineJSIDs are the unique_id of the slides of a TimelineJS export.
func timelineJSIDs(t *testing.T, body []byte) []string {
	t.Helper()
	var doc struct {
		Events []struct {
			UniqueID string `json:"unique_id"`
		} `json:"events"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("the TimelineJS download: %v", err)
	}
	var ids []string
	for _, e := range doc.Events {
		ids = append(ids, e.UniqueID)
	}
	return ids
}

// geoJSONKeys are the keys of the features of a GeoJSON export.
func geoJSONKeys(t *testing.T, body []byte) []string {
	t.Helper()
	var doc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties struct {
				Key string `json:"key"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.Type != "FeatureCollection" {
		t.Fatalf("the GeoJSON download: %v (type %q)", err, doc.Type)
	}
	var keys []string
	for _, f := range doc.Features {
		if f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) != 2 {
			t.Errorf("feature %s: geometry %+v, want a Point", f.Properties.Key, f.Geometry)
		}
		keys = append(keys, f.Properties.Key)
	}
	return keys
}

// graphItems are the event and statement nodes of a GEXF or GraphML
// export, sorted (the graph formats promise no order).
func graphItems(t *testing.T, format string, body []byte) []string {
	t.Helper()
	type node struct {
		ID string `xml:"id,attr"`
	}
	var doc struct {
		XMLName xml.Name
		Graph   struct {
			Nodes []node `xml:"nodes>node"` // GEXF
			Flat  []node `xml:"node"`       // GraphML
		} `xml:"graph"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("the %s download: %v", format, err)
	}
	if want := map[string]string{"gexf": "gexf", "graphml": "graphml"}[format]; doc.XMLName.Local != want {
		t.Fatalf("the %s download's root is <%s>", format, doc.XMLName.Local)
	}
	var ids []string
	for _, n := range append(doc.Graph.Nodes, doc.Graph.Flat...) {
		if strings.HasPrefix(n.ID, "event:") || strings.HasPrefix(n.ID, "statement:") {
			ids = append(ids, n.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// checkDownloads downloads every format of the view the page shows for
// filter and compares each file's rows with the API's whole timeline
// for it: CSV the events, TimelineJS every item in order, GeoJSON the
// located events, GEXF and GraphML every item as a node. Each file is also
// what the link's href serves (with token, when given).
func (s *site) checkDownloads(d *downloads, filter map[string]any, token string) {
	s.t.Helper()
	all := s.apiAll(filter)
	var items, events, located, nodes []string
	for _, it := range all {
		items = append(items, it.node())
		nodes = append(nodes, it.node())
		if it.Typename == "Event" {
			events = append(events, it.Key)
			if it.located() {
				located = append(located, it.Key)
			}
		}
	}
	slices.Sort(nodes)
	for _, tt := range []struct {
		format string
		rows   func(*testing.T, []byte) []string
		want   []string
	}{
		{"csv", csvKeys, events},
		{"timelinejs", timelineJSIDs, items},
		{"geojson", geoJSONKeys, located},
		{"gexf", func(t *testing.T, b []byte) []string { return graphItems(t, "gexf", b) }, nodes},
		{"graphml", func(t *testing.T, b []byte) []string { return graphItems(t, "graphml", b) }, nodes},
	} {
		name, body, href := s.download(d, tt.format)
		if got := tt.rows(s.t, body); !slices.Equal(got, tt.want) {
			s.t.Errorf("the %s download (%s) holds %d rows, the API's timeline %d:\n got %q\nwant %q", tt.format, href, len(got), len(tt.want), got, tt.want)
		}
		if want := "geotimeline-" + tt.format + "."; !strings.HasPrefix(name, want) {
			s.t.Errorf("the %s download is named %q, want %s…", tt.format, name, want)
		}
		if status, served := s.fetchHref(href, token); status != http.StatusOK || !bytes.Equal(served, body) {
			s.t.Errorf("%s answers %d with %d bytes; the page saved %d bytes", href, status, len(served), len(body))
		}
	}
}

// setDownloadFilter types downloadFilter into the form and applies it.
func (s *site) setDownloadFilter() {
	s.t.Helper()
	s.run("fill in a country and a range",
		chromedp.SetValue(`#f-from`, downloadFilter["from"].(string), chromedp.ByID),
		chromedp.SetValue(`#f-to`, downloadFilter["to"].(string), chromedp.ByID),
		chromedp.SendKeys(`#f-countries`, "IND", chromedp.ByID),
		chromedp.Click(`#apply`, chromedp.ByID))
	s.waitJS("the filter in the URL", `location.hash.includes('countries=IND') && location.hash.includes('from=2019-01-01')`)
	s.waitReady("the filtered views")
}

// Each download of the Download menu holds exactly the view the page
// shows: with a country and a range set, the rows of the CSV, TimelineJS,
// GeoJSON, GEXF and GraphML files the browser saves are the items of the
// list (all of them, loaded to the end) and of the API's timeline.
func TestDashboardDownloadsAreTheView(t *testing.T) {
	s := openRealData(t)
	d := s.watchDownloads()
	openDashboard(s, "")
	s.setDownloadFilter()

	all := s.apiAll(downloadFilter)
	var statements, located, unlocated int
	for _, it := range all {
		switch {
		case it.Typename == "Statement":
			statements++
		case it.located():
			located++
		default:
			unlocated++
		}
	}
	if len(all) <= 50 || statements == 0 || located == 0 || unlocated == 0 {
		t.Fatalf("the filter holds %d items (%d statements, %d located and %d unlocated events): want more than a page of each kind",
			len(all), statements, located, unlocated)
	}
	// The whole list, loaded to its end, is the TimelineJS file's slides.
	for {
		var shown int
		s.eval(`document.querySelectorAll('#timeline li.item').length`, &shown)
		if shown >= len(all) {
			break
		}
		// Clicked unless scrolling has already started the next page.
		s.eval(`(() => { const b = document.getElementById('more'); if (!b.hidden && !b.disabled) b.click(); })()`, nil)
		s.waitJS("the next page", fmt.Sprintf(`document.querySelectorAll('#timeline li.item').length > %d`, shown))
	}
	listed, total := s.listed()
	var want []string
	for _, it := range all {
		want = append(want, it.Key)
	}
	if total != len(all) || !slices.Equal(listed, want) {
		t.Fatalf("the list shows %d of %d, the API %d", len(listed), total, len(all))
	}
	_, tl, _ := s.download(d, "timelinejs")
	var slides []string
	for _, id := range timelineJSIDs(t, tl) {
		slides = append(slides, id[strings.Index(id, ":")+1:])
	}
	if !slices.Equal(slides, listed) {
		t.Errorf("the TimelineJS download holds %q\nthe list shows %q", slides, listed)
	}

	s.checkDownloads(d, downloadFilter, "")
	var href string
	s.eval(`document.getElementById('dl-csv').getAttribute('href')`, &href)
	if want := "/export/csv?countries=IND&from=2019-01-01&to=2026-01-01"; href != want {
		t.Errorf("the CSV link is %q, want %q", href, want)
	}
	s.screenshot("dashboard-downloads")

	// Newest first, the list's order is the files'.
	s.eval(`(() => { document.getElementById('f-order').value = 'DESC'; return true; })()`, nil)
	s.run("apply newest first", chromedp.Click(`#apply`, chromedp.ByID))
	s.waitJS("the list newest first", `location.hash.includes('order=DESC')`)
	s.waitReady("the list newest first")
	s.eval(`document.getElementById('dl-csv').getAttribute('href')`, &href)
	if want := "/export/csv?countries=IND&from=2019-01-01&to=2026-01-01&order=desc"; href != want {
		t.Errorf("the CSV link newest first is %q, want %q", href, want)
	}
	var newest []string
	s.eval(`[...document.querySelectorAll('#timeline li.item')].map((li) => li.dataset.key)`, &newest)
	_, tl, _ = s.download(d, "timelinejs")
	slides = nil
	for _, id := range timelineJSIDs(t, tl) {
		slides = append(slides, id[strings.Index(id, ":")+1:])
	}
	reversed := slices.Clone(listed)
	slices.Reverse(reversed)
	if len(newest) == 0 || !slices.Equal(slides[:len(newest)], newest) || !slices.Equal(slides, reversed) {
		t.Errorf("newest first, the TimelineJS download holds %d items (first %q), the list's first page %d (first %q); want the list of oldest first reversed",
			len(slides), slides[:min(3, len(slides))], len(newest), newest[:min(3, len(newest))])
	}

	// A new filter rebuilds the links.
	s.run("clear the filter", chromedp.Click(`#reset`, chromedp.ByID))
	s.waitJS("the links of the unfiltered view", `document.getElementById('dl-csv').getAttribute('href') === '/export/csv'`)
}

// A country ISO does not assign is shown under the countries field with the
// API's suggestion as a button; clicking it puts the suggestion in the
// field and applies it, and the list is then the API's for that country.
// The same for an actor key (its chip is replaced) and for a download
// refused for a bad filter.
func TestDashboardSuggestionsApply(t *testing.T) {
	s := openRealData(t)
	s.allow("status of 400 (Bad Request)")
	openDashboard(s, "")

	s.run("type a code ISO does not assign",
		chromedp.SendKeys(`#f-countries`, "UK", chromedp.ByID),
		chromedp.Click(`#apply`, chromedp.ByID))
	s.waitJS("the error beside the countries", `!document.getElementById('f-countries-error').hidden`)
	var text string
	s.eval(`document.getElementById('f-countries-error').textContent`, &text)
	if want := `unknown country "UK": did you mean "GB"?`; text != want {
		t.Errorf("beside the countries: %q, want %q", text, want)
	}
	s.screenshot("dashboard-suggestion")
	s.run("click the suggestion", chromedp.Click(`#f-countries-error button.suggestion[data-value="GB"]`, chromedp.ByQuery))
	s.waitJS("the suggestion applied", `location.hash.includes('countries=GB')`)
	s.waitReady("the views for GB")
	var shown struct {
		Value  string
		Hidden bool
	}
	s.eval(`({Value: document.getElementById('f-countries').value, Hidden: document.getElementById('f-countries-error').hidden})`, &shown)
	if shown.Value != "GB" || !shown.Hidden {
		t.Errorf("after the suggestion: the field holds %q, error hidden %v", shown.Value, shown.Hidden)
	}
	gb := map[string]any{"countries": []string{"GB"}}
	keys, total := s.listed()
	wantKeys, wantTotal := s.apiTimeline(gb)
	if total != wantTotal || !slices.Equal(keys, wantKeys) {
		t.Errorf("the list shows %d of %d: %q\nthe API %d of %d: %q", len(keys), total, keys, len(wantKeys), wantTotal, wantKeys)
	}

	// An actor key that names nothing: its chip is replaced.
	// (A query string of its own: a new load, not a hash change.)
	s.run("open the dashboard on a misspelt actor", chromedp.Navigate(s.base+"/dashboard?actor#actors=pakistn"))
	s.waitJS("the error beside the actors", `!document.getElementById('f-actor-error').hidden`)
	s.eval(`document.getElementById('f-actor-error').textContent`, &text)
	if want := `unknown actor "pakistn": did you mean "pakistan"?`; text != want {
		t.Errorf("beside the actors: %q, want %q", text, want)
	}
	s.run("click the suggestion", chromedp.Click(`#f-actor-error button.suggestion[data-value="pakistan"]`, chromedp.ByQuery))
	s.waitJS("the suggestion applied", `location.hash.includes('actors=pakistan')`)
	s.waitReady("the views for pakistan")
	var chips []string
	s.eval(`[...document.querySelectorAll('#f-actors-chips li')].map(li => li.dataset.key)`, &chips)
	if !slices.Equal(chips, []string{"pakistan"}) {
		t.Errorf("the chips after the suggestion: %q, want [pakistan]", chips)
	}
	keys, total = s.listed()
	wantKeys, wantTotal = s.apiTimeline(map[string]any{"actors": []string{"pakistan"}})
	if total != wantTotal || !slices.Equal(keys, wantKeys) {
		t.Errorf("the list shows %d of %d, the API %d of %d", len(keys), total, len(wantKeys), wantTotal)
	}

	// A download refused for its filter: the export's error in the menu,
	// in the status line and beside the field, with its suggestion.
	s.run("open the dashboard again", chromedp.Navigate(s.base+"/dashboard?download"))
	s.waitReady("the dashboard to load")
	s.run("type a country name",
		chromedp.SendKeys(`#f-countries`, "england", chromedp.ByID),
		chromedp.Click(`#apply`, chromedp.ByID))
	s.waitJS("the error beside the countries", `!document.getElementById('f-countries-error').hidden`)
	s.eval(`document.getElementById('downloads').open = true`, nil)
	s.run("download the CSV", chromedp.Click(`#dl-csv`, chromedp.ByID))
	s.waitJS("the refusal in the menu", `document.getElementById('downloads-status').textContent.startsWith('CSV refused: ')`)
	var refusal struct{ Menu, Status, Field string }
	s.eval(`({Menu: document.getElementById('downloads-status').textContent, Status: document.getElementById('status').textContent,
		Field: document.getElementById('f-countries-error').textContent})`, &refusal)
	want := `countries: "ENGLAND" is not an ISO 3166-1 alpha-2 or alpha-3 country code: did you mean "GB"?`
	if refusal.Menu != "CSV refused: "+want || !strings.Contains(refusal.Status, "Download: "+want) || refusal.Field != want {
		t.Errorf("the refused download: %+v, want %q in the menu, the status and beside the field", refusal, want)
	}
	s.run("click the suggestion", chromedp.Click(`#f-countries-error button.suggestion[data-value="GB"]`, chromedp.ByQuery))
	s.waitJS("the suggestion applied", `location.hash.includes('countries=GB')`)
	s.waitReady("the views for GB")
	s.eval(`document.getElementById('status').textContent + document.getElementById('downloads-status').textContent`, &text)
	if text != "" {
		t.Errorf("after the fix the status says %q", text)
	}

	// An event type the schema lacks (an edited URL): GraphQL refuses it
	// without a suggestion, the export with one, shown under the types;
	// clicking it ticks that type and applies it.
	s.run("open the dashboard on a misspelt type", chromedp.Navigate(s.base+"/dashboard?type#types=ATACK"))
	s.waitJS("the error under the types", `!document.getElementById('f-types-error').hidden`)
	s.eval(`document.getElementById('downloads').open = true`, nil)
	s.run("download the CSV", chromedp.Click(`#dl-csv`, chromedp.ByID))
	s.waitJS("the suggestion under the types", `document.querySelector('#f-types-error button.suggestion[data-value="ATTACK"]') !== null`)
	s.eval(`document.getElementById('f-types-error').textContent`, &text)
	if want := `ATACK is not a valid EventType; types: "ATACK" is not an event type: did you mean "ATTACK"?`; text != want {
		t.Errorf("under the types: %q, want %q", text, want)
	}
	s.run("click the suggestion", chromedp.Click(`#f-types-error button.suggestion[data-value="ATTACK"]`, chromedp.ByQuery))
	s.waitJS("the suggestion applied", `location.hash.includes('types=ATTACK')`)
	s.waitReady("the views for attacks")
	var ticked []string
	s.eval(`[...document.querySelectorAll('#f-types input:checked')].map(b => b.value)`, &ticked)
	if !slices.Equal(ticked, []string{"ATTACK"}) {
		t.Errorf("ticked after the suggestion: %q, want [ATTACK]", ticked)
	}
	keys, total = s.listed()
	wantKeys, wantTotal = s.apiTimeline(map[string]any{"eventTypes": []string{"ATTACK"}})
	if total != wantTotal || !slices.Equal(keys, wantKeys) {
		t.Errorf("the list shows %d of %d, the API %d of %d", len(keys), total, len(wantKeys), wantTotal)
	}
}

// On a private server, where the export takes the token only as a header,
// the page's downloads still hold exactly the view: the page fetches them
// with the token, and the link without it is refused.
func TestDashboardDownloadsPrivate(t *testing.T) {
	s := openRealDataServer(t, true)
	s.allow("status of 401 (Unauthorized)")
	d := s.watchDownloads()
	s.run("open the dashboard", chromedp.Navigate(s.base+"/dashboard"))
	s.waitJS("the refusal", `document.body.dataset.state === 'error'`)
	s.run("give the token",
		chromedp.SendKeys(`#token`, writeToken, chromedp.ByID),
		chromedp.KeyEvent(kb.Enter), chromedp.Blur(`#token`, chromedp.ByID))
	s.waitReady("the views with the token")
	s.setDownloadFilter()

	s.checkDownloads(d, downloadFilter, writeToken)
	var href string
	s.eval(`document.getElementById('dl-csv').getAttribute('href')`, &href)
	if status, body := s.fetchHref(href, ""); status != http.StatusUnauthorized {
		t.Errorf("%s without the token answers %d: %.200s", href, status, body)
	}
}
