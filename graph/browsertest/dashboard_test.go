package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/seed"
)

// openDashboard loads /dashboard (with an optional hash) and waits until
// every view has loaded and the live subscription is open.
func openDashboard(s *site, hash string) {
	s.t.Helper()
	s.run("open the dashboard", chromedp.Navigate(s.base+"/dashboard"+hash))
	s.waitReady("the dashboard to load")
	s.waitJS("the live subscription", `document.getElementById('live').dataset.live === 'open'`)
}

// waitReady waits until the page says every request it made is answered.
func (s *site) waitReady(what string) {
	s.t.Helper()
	s.waitJS(what, `document.body.dataset.state === 'ready' && document.querySelectorAll('#timeline li.item').length > 0`)
}

// listed is what the timeline list shows: item keys in order and the total.
func (s *site) listed() (keys []string, total int) {
	s.t.Helper()
	s.eval(`[...document.querySelectorAll('#timeline li.item')].map(li => li.dataset.key)`, &keys)
	var text string
	s.eval(`document.getElementById('timeline-total').textContent`, &text)
	total, err := strconv.Atoi(text)
	if err != nil {
		s.t.Fatalf("#timeline-total is %q, not a number", text)
	}
	return keys, total
}

// bucket is one histogram bar, as drawn or as eventCounts answers.
type bucket struct {
	Start          string `json:"start"`
	Count          int    `json:"count"`
	Certain        int    `json:"certain"`
	Fatalities     int    `json:"fatalities"`
	FatalitiesLow  int    `json:"fatalitiesLow"`
	FatalitiesHigh int    `json:"fatalitiesHigh"`
}

// bars returns the histogram's bars and the interval it asked for.
func (s *site) bars() (bars []bucket, interval string) {
	s.t.Helper()
	s.eval(`[...document.querySelectorAll('#histogram rect.bar')].map(r => ({
		start: r.dataset.start, count: Number(r.dataset.count), certain: Number(r.dataset.certain),
		fatalities: Number(r.dataset.fatalities), fatalitiesLow: Number(r.dataset.fatalitiesLow),
		fatalitiesHigh: Number(r.dataset.fatalitiesHigh)}))`, &bars)
	s.eval(`document.getElementById('histogram').dataset.interval`, &interval)
	return bars, interval
}

// apiTimeline asks the API for the first page the dashboard shows.
func (s *site) apiTimeline(filter map[string]any) (keys []string, total int) {
	s.t.Helper()
	var r struct {
		Timeline struct {
			TotalCount int `json:"totalCount"`
			Nodes      []struct {
				Key string `json:"key"`
			} `json:"nodes"`
		} `json:"timeline"`
	}
	data := s.graphql(`query($f: TimelineFilter) { timeline(filter: $f, first: 50) { totalCount
		nodes { ... on Event { key } ... on Statement { key } } } }`, map[string]any{"f": filter})
	if err := json.Unmarshal(data, &r); err != nil {
		s.t.Fatal(err)
	}
	for _, n := range r.Timeline.Nodes {
		keys = append(keys, n.Key)
	}
	return keys, r.Timeline.TotalCount
}

// apiCounts is eventCounts as the histogram asks it: every bucket an
// event's span overlaps.
func (s *site) apiCounts(filter map[string]any, interval string) []bucket {
	s.t.Helper()
	var r struct {
		EventCounts []bucket `json:"eventCounts"`
	}
	data := s.graphql(`query($f: EventFilter, $i: Interval!) { eventCounts(filter: $f, interval: $i, timeMatch: OVERLAPS) {
		start count certain fatalities fatalitiesLow fatalitiesHigh } }`,
		map[string]any{"f": filter, "i": interval})
	if err := json.Unmarshal(data, &r); err != nil {
		s.t.Fatal(err)
	}
	return r.EventCounts
}

// checkAgainstAPI compares the list and the histogram with what the API
// answers for filter, and the histogram with the events in the list (see
// checkHistogram).
func (s *site) checkAgainstAPI(filter map[string]any) {
	s.t.Helper()
	keys, total := s.listed()
	wantKeys, wantTotal := s.apiTimeline(filter)
	if !slices.Equal(keys, wantKeys) || total != wantTotal {
		s.t.Errorf("the list shows %d of %d: %v\nthe API answers %d of %d: %v", len(keys), total, keys, len(wantKeys), wantTotal, wantKeys)
	}
	s.checkHistogram(filter)
}

// A filter typed into the bar gives the list and histogram the API gives
// for it; double-clicking a network node re-centres the network on it.
func TestDashboardFilterAndNetwork(t *testing.T) {
	s := open(t)
	openDashboard(s, "")
	s.checkAgainstAPI(map[string]any{})

	s.run("fill in the filter",
		chromedp.SetValue(`#f-from`, "2025-05-01", chromedp.ByID),
		chromedp.SetValue(`#f-to`, "2025-05-12", chromedp.ByID),
		chromedp.SendKeys(`#f-countries`, "PAK", chromedp.ByID),
		chromedp.Click(`#apply`, chromedp.ByID))
	s.waitJS("the filter in the URL", `location.hash.includes('from=2025-05-01') && location.hash.includes('countries=PAK')`)
	s.waitReady("the filtered views")
	filter := map[string]any{"from": "2025-05-01", "to": "2025-05-12", "countries": []string{"PAK"}}
	s.checkAgainstAPI(filter)
	s.screenshot("dashboard")

	// A node other than the centre, clicked where it is drawn.
	var center string
	s.waitJS("a network", `document.getElementById('network').dataset.center !== '' && window.dashboard.cy.nodes().length > 1`)
	s.eval(`document.getElementById('network').dataset.center`, &center)
	var target struct {
		ID string  `json:"id"`
		X  float64 `json:"x"`
		Y  float64 `json:"y"`
	}
	s.eval(fmt.Sprintf(`(() => {
		const cy = window.dashboard.cy;
		const n = cy.nodes().filter(n => n.id() !== %q)[0];
		const box = cy.container().getBoundingClientRect();
		const p = n.renderedPosition();
		return {id: n.id(), x: box.left + p.x, y: box.top + p.y};
	})()`, center), &target)
	// A click expands a node; a double click re-centres on it.
	s.run("double-click the node", chromedp.MouseClickXY(target.X, target.Y), chromedp.MouseClickXY(target.X, target.Y, chromedp.ClickCount(2)))
	s.waitJS("the network to re-centre", fmt.Sprintf(`document.getElementById('network').dataset.center === %q`, target.ID))
	s.waitReady("the re-centred network")
	var ids []string
	s.eval(`window.dashboard.cy.nodes().map(n => n.id()).sort()`, &ids)
	var r struct {
		Neighborhood struct {
			Nodes []struct {
				ID string `json:"id"`
			} `json:"nodes"`
		} `json:"neighborhood"`
	}
	json.Unmarshal(s.graphql(`query($id: ID!) { neighborhood(id: $id, depth: 1, limit: 200, filter: {from: "2025-05-01", to: "2025-05-12"}) {
		nodes { ... on Node { id } } } }`, map[string]any{"id": target.ID}), &r)
	var want []string
	for _, n := range r.Neighborhood.Nodes {
		want = append(want, n.ID)
	}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("the network shows %v, the API's neighbourhood of %s is %v", ids, target.ID, want)
	}
	s.screenshot("dashboard-recentred")
}

// The filter works from the keyboard alone: text and Enter apply it, and
// Enter on a histogram bar narrows the range to that bar.
func TestDashboardKeyboard(t *testing.T) {
	s := open(t)
	openDashboard(s, "")
	s.run("type a text filter and press Enter",
		chromedp.Focus(`#f-text`, chromedp.ByID),
		chromedp.KeyEvent("Pahalgam"),
		chromedp.KeyEvent(kb.Enter))
	s.waitJS("the text in the URL", `location.hash.includes('text=Pahalgam')`)
	s.waitReady("the filtered views")
	s.checkAgainstAPI(map[string]any{"text": "Pahalgam"})

	var start string
	s.eval(`(() => { const bar = document.querySelector('#histogram rect.bar'); bar.focus(); return bar.dataset.start; })()`, &start)
	s.run("press Enter on the first bar", chromedp.KeyEvent(kb.Enter))
	day := start[:10]
	s.waitJS("the range narrowed to the bar", fmt.Sprintf(`location.hash.includes('from=%s')`, day))
	s.waitReady("the narrowed views")
	var from string
	s.eval(`document.getElementById('f-from').value`, &from)
	if from != day {
		t.Errorf("#f-from = %q after Enter on the bar starting %s", from, start)
	}
}

// An event written through the API appears in the open dashboard without a
// reload, marked new, and the total and histogram count it.
func TestDashboardLiveUpdate(t *testing.T) {
	s := open(t)
	openDashboard(s, "#actors=marco-rubio")
	_, before := s.listed()
	bars, _ := s.bars()
	sumBefore := 0
	for _, b := range bars {
		sumBefore += b.Count
	}
	waitFor(t, "the subscription on the server", func() bool { return s.hub.Open() == 1 })
	s.graphql(`mutation { upsertEvent(input: {key: "rubio-live-call", type: CALL, title: "Rubio calls Dar again",
		occurredAt: "2025-05-09", participants: [{actor: "marco-rubio", role: INITIATOR}, {actor: "shehbaz-sharif", role: PARTICIPANT}]}) { key } }`, nil)
	// Not about Rubio: must not appear.
	s.graphql(`mutation { upsertEvent(input: {key: "unrelated-live", type: MEETING, title: "Unrelated",
		occurredAt: "2025-05-09", participants: [{actor: "india", role: PARTICIPANT}]}) { key } }`, nil)
	s.waitJS("the new event in the list", `document.querySelector('#timeline li.item.new[data-key="rubio-live-call"]') !== null`)
	s.waitJS("the total to count it", fmt.Sprintf(`document.getElementById('timeline-total').textContent === '%d'`, before+1))
	s.waitJS("the histogram to count it", fmt.Sprintf(
		`[...document.querySelectorAll('#histogram rect.bar')].reduce((n, r) => n + Number(r.dataset.count), 0) === %d`, sumBefore+1))
	var unrelated bool
	s.eval(`document.querySelector('#timeline li.item[data-key="unrelated-live"]') !== null`, &unrelated)
	if unrelated {
		t.Error("an event that does not match the filter appeared")
	}
	s.screenshot("dashboard-live")
}

// On a private server the dashboard says why it shows nothing, and loads
// everything, live updates included, once the token is given.
func TestDashboardPrivate(t *testing.T) {
	s := openServer(t, true)
	s.allow("status of 401 (Unauthorized)")
	s.run("open the dashboard", chromedp.Navigate(s.base+"/dashboard"))
	s.waitJS("the refusal", `document.body.dataset.state === 'error' &&
		document.getElementById('status').textContent.includes('this server is private')`)
	s.run("give the token",
		chromedp.SendKeys(`#token`, writeToken, chromedp.ByID),
		chromedp.KeyEvent(kb.Enter), chromedp.Blur(`#token`, chromedp.ByID))
	s.waitReady("the views with the token")
	s.waitJS("the live subscription", `document.getElementById('live').dataset.live === 'open'`)
	s.checkAgainstAPI(map[string]any{})
}

// When the server ends the page's subscription (here: a load of more items
// than the change log keeps, so the feed cannot be resumed), the page
// subscribes again and reloads, showing what it could not be sent.
func TestDashboardRecoversWhenDropped(t *testing.T) {
	s := open(t)
	openDashboard(s, "#actors=marco-rubio")
	waitFor(t, "the subscription on the server", func() bool { return s.hub.Open() == 1 })

	// 10 001 meetings of India and Nepal and one call of Rubio's, in one
	// transaction, written as `geotimeline seed` would from another process.
	var events []string
	for i := range 10001 {
		events = append(events, fmt.Sprintf(`{"key": "bulk-%d", "type": "MEETING", "title": "Bulk %d", "occurredAt": "2024-01-01",
			"participants": [{"actor": "india", "role": "PARTICIPANT"}, {"actor": "nepal", "role": "PARTICIPANT"}]}`, i, i))
	}
	events = append(events, `{"key": "rubio-in-bulk", "type": "CALL", "title": "Rubio call in a bulk load", "occurredAt": "2025-05-10",
		"participants": [{"actor": "marco-rubio", "role": "INITIATOR"}]}`)
	doc := `{"version": 1, "events": [` + strings.Join(events, ",") + `]}`
	if _, _, err := seed.Load(context.Background(), s.store, []fixture.File{{Name: "bulk.json", Data: []byte(doc)}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the server to drop the subscriber", func() bool { return s.hub.Dropped() == 1 })
	s.waitJS("the page to subscribe again", `document.getElementById('live').dataset.live === 'open'`)
	waitFor(t, "the new subscription on the server", func() bool { return s.hub.Open() == 1 })
	s.waitJS("the reload to show the call", `document.querySelector('#timeline li.item[data-key="rubio-in-bulk"]') !== null`)
	s.waitReady("the reloaded views")
	s.checkAgainstAPI(map[string]any{"actors": []string{"marco-rubio"}})
}

// A filter value that names nothing is shown under its field, with the
// API's suggestion, and the field is marked invalid until it is fixed.
func TestDashboardUnknownFilterValue(t *testing.T) {
	s := open(t)
	s.run("open the dashboard on a misspelt actor", chromedp.Navigate(s.base+"/dashboard#actors=marco-rubi"))
	s.waitJS("the refusal", `document.body.dataset.state === 'error'`)
	var actor string
	s.eval(`document.getElementById('f-actor-error').hidden ? '' : document.getElementById('f-actor-error').textContent`, &actor)
	if want := `unknown actor "marco-rubi": did you mean "marco-rubio"?`; actor != want {
		t.Errorf("under the actors: %q, want %q", actor, want)
	}

	openDashboard(s, "")
	s.run("type a code ISO does not assign",
		chromedp.SendKeys(`#f-countries`, "UK", chromedp.ByID),
		chromedp.Click(`#apply`, chromedp.ByID))
	s.waitJS("the refusal", `document.body.dataset.state === 'error'`)
	var shown struct {
		Text, Invalid, Described string
		Hidden                   bool
	}
	read := `(() => { const e = document.getElementById('f-countries-error'), i = document.getElementById('f-countries');
		return {Text: e.textContent, Hidden: e.hidden, Invalid: i.getAttribute('aria-invalid') || '', Described: i.getAttribute('aria-describedby')}; })()`
	s.eval(read, &shown)
	if want := `unknown country "UK": did you mean "GB"?`; shown.Text != want || shown.Hidden || shown.Invalid != "true" ||
		shown.Described != "f-countries-help f-countries-error" {
		t.Errorf("under the countries: %+v, want %q shown, the field invalid and described by it", shown, want)
	}
	s.run("fix it",
		chromedp.SetValue(`#f-countries`, "IN", chromedp.ByID),
		chromedp.Click(`#apply`, chromedp.ByID))
	s.waitReady("the filtered views")
	s.eval(read, &shown)
	if !shown.Hidden || shown.Invalid != "" || shown.Described != "f-countries-help" {
		t.Errorf("after the fix: %+v, want the message hidden and the field valid", shown)
	}
}

// A range that holds no day (To on or before From) is refused under To,
// before any request: the views and the URL keep the last filter, and the
// field is marked invalid until it is fixed. An edited URL with one says
// so too.
func TestDashboardEmptyRange(t *testing.T) {
	s := open(t)
	openDashboard(s, "")
	before, total := s.listed()
	var hash string
	s.eval(`location.hash`, &hash)
	s.run("a range that ends before it begins",
		chromedp.SetValue(`#f-from`, "2025-05-08", chromedp.ByID),
		chromedp.SetValue(`#f-to`, "2025-05-01", chromedp.ByID),
		chromedp.Click(`#apply`, chromedp.ByID))
	s.waitJS("the refusal", `document.body.dataset.state === 'error'`)
	var shown struct {
		Text, Invalid, Described, Hash, Status string
		Hidden                                 bool
	}
	read := `(() => { const e = document.getElementById('f-to-error'), i = document.getElementById('f-to');
		return {Text: e.textContent, Hidden: e.hidden, Invalid: i.getAttribute('aria-invalid') || '',
			Described: i.getAttribute('aria-describedby'), Hash: location.hash,
			Status: document.getElementById('status').textContent}; })()`
	s.eval(read, &shown)
	want := `to: "2025-05-01" is not after from "2025-05-08": the range [from, to) holds no day`
	if shown.Text != want || shown.Hidden || shown.Invalid != "true" || shown.Described != "f-to-help f-to-error" || shown.Hash != hash ||
		shown.Status != "Filter: "+want+" [BAD_USER_INPUT]" {
		t.Errorf("under To: %+v, want %q shown, the field invalid and described by it, the URL still %q", shown, want, hash)
	}
	if keys, n := s.listed(); !slices.Equal(keys, before) || n != total {
		t.Errorf("after the refusal the timeline lists %d of %d items, want the %d of %d before", len(keys), n, len(before), total)
	}
	// The same day for both holds no day either; the day after does.
	s.run("the same day", chromedp.SetValue(`#f-to`, "2025-05-08", chromedp.ByID), chromedp.Click(`#apply`, chromedp.ByID))
	s.waitJS("the refusal of the same day", `document.getElementById('f-to-error').textContent.startsWith('to: "2025-05-08" is not after')`)
	s.run("fix it", chromedp.SetValue(`#f-to`, "2025-05-09", chromedp.ByID), chromedp.Click(`#apply`, chromedp.ByID))
	s.waitReady("the filtered views")
	s.eval(read, &shown)
	if !shown.Hidden || shown.Invalid != "" || shown.Described != "f-to-help" || shown.Status != "" {
		t.Errorf("after the fix: %+v, want the message hidden and the field valid", shown)
	}
	s.checkAgainstAPI(map[string]any{"from": "2025-05-08", "to": "2025-05-09"})

	s.run("a blank page", chromedp.Navigate("about:blank"))
	s.run("a URL whose range holds no day", chromedp.Navigate(s.base+"/dashboard#from=2025-05-08&to=2025-05-01"))
	s.waitJS("the refusal", `document.body.dataset.state === 'error'`)
	s.eval(read, &shown)
	if shown.Text != want || shown.Hidden || shown.Invalid != "true" {
		t.Errorf("from the URL: %+v, want %q shown and the field invalid", shown, want)
	}
	// A download of that view is refused the same way, not saved empty.
	d := s.watchDownloads()
	s.eval(`document.getElementById('downloads').open = true`, nil)
	s.run("download the CSV", chromedp.Click(`#dl-csv`, chromedp.ByID))
	s.waitJS("the refusal in the menu", `document.getElementById('downloads-status').textContent.startsWith('CSV refused: ')`)
	var refusal struct{ Menu, Status string }
	s.eval(`({Menu: document.getElementById('downloads-status').textContent, Status: document.getElementById('status').textContent})`, &refusal)
	if refusal.Menu != "CSV refused: "+want || refusal.Status != "Filter, Download: "+want+" [BAD_USER_INPUT]" {
		t.Errorf("the download of that view: %+v, want %q in the menu and the status", refusal, want)
	}
	d.mu.Lock()
	saved := len(d.seen)
	d.mu.Unlock()
	if saved != 0 {
		t.Errorf("%d downloads begun, want none", saved)
	}
}
