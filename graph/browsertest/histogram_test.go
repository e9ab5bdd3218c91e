package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// parseInstant reads a DateTime as the API takes it: RFC 3339 or a date.
func parseInstant(t *testing.T, s string) time.Time {
	t.Helper()
	if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return v.UTC()
	}
	v, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatalf("not a DateTime: %q", s)
	}
	return v
}

// histogramFilter is the EventFilter the histogram counted with, as the
// chart records it (data-from, data-to, data-time-match), checked against
// the view's filter: its own from and to where it gives them, else the
// start of the bucket that holds the first event's start and the end of
// the one that holds the last's (whole buckets of the chart's interval,
// which the server counts from its kept counts); its time match,
// except WITHIN with an open "to", which is START over the range (see
// countFilter in histogram.js).
func (s *site) histogramFilter(filter map[string]any) (map[string]any, string) {
	s.t.Helper()
	var chart struct {
		From, To, TimeMatch, Interval string
	}
	s.eval(`(() => { const d = document.getElementById('histogram').dataset;
		return {From: d.from, To: d.to, TimeMatch: d.timeMatch, Interval: d.interval}; })()`, &chart)
	out := maps.Clone(filter)
	match, _ := filter["timeMatch"].(string)
	if match == "" {
		match = "START"
	}
	var r struct {
		First, Last struct {
			Nodes []struct {
				OccurredAt string `json:"occurredAt"`
			} `json:"nodes"`
		}
	}
	if filter["from"] == nil || filter["to"] == nil {
		json.Unmarshal(s.graphql(`query($f: EventFilter) { first: events(filter: $f, first: 1) { nodes { occurredAt } }
			last: events(filter: $f, order: DESC, first: 1) { nodes { occurredAt } } }`, map[string]any{"f": filter}), &r)
		if len(r.First.Nodes) == 0 {
			s.t.Fatalf("no events match %v", filter)
		}
	}
	if from, ok := filter["from"].(string); ok {
		if chart.From != from {
			s.t.Errorf("the histogram counts from %q, the filter from %q", chart.From, from)
		}
	} else if want := bucketStart(parseInstant(s.t, r.First.Nodes[0].OccurredAt), chart.Interval).Format(time.DateOnly); chart.From != want {
		s.t.Errorf("the histogram counts from %q, the %s of the first event's start from %s", chart.From, chart.Interval, want)
	}
	if to, ok := filter["to"].(string); ok {
		if chart.To != to {
			s.t.Errorf("the histogram counts to %q, the filter to %q", chart.To, to)
		}
	} else {
		last := bucketStart(parseInstant(s.t, r.Last.Nodes[0].OccurredAt), chart.Interval)
		if want := bucketAfter(last, chart.Interval).Format(time.DateOnly); chart.To != want {
			s.t.Errorf("the histogram counts to %q, the end of the %s of the last event's start %s", chart.To, chart.Interval, want)
		}
		if match == "WITHIN" {
			match = "START"
		}
	}
	if chart.TimeMatch != match {
		s.t.Errorf("the histogram's filter matches times by %s, want %s", chart.TimeMatch, match)
	}
	out["from"], out["to"], out["timeMatch"] = chart.From, chart.To, chart.TimeMatch
	return out, chart.Interval
}

// spanEvent is an event of the list with its span.
type spanEvent struct {
	Key  string `json:"key"`
	When struct {
		Earliest string `json:"earliest"`
		Latest   string `json:"latest"`
	} `json:"when"`
}

// apiSpans is every event the timeline holds for filter, page by page.
func (s *site) apiSpans(filter map[string]any) []spanEvent {
	s.t.Helper()
	f := maps.Clone(filter)
	f["include"] = []string{"EVENT"}
	return timelinePages[spanEvent](s, f, `... on Event { key when { earliest latest } }`)
}

// bucketStart is the start of the bucket of interval that holds t (UTC;
// ISO weeks start on Monday).
func bucketStart(t time.Time, interval string) time.Time {
	day := t.UTC().Truncate(24 * time.Hour)
	switch interval {
	case "WEEK":
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	case "MONTH":
		return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	case "YEAR":
		return time.Date(day.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

func bucketAfter(b time.Time, interval string) time.Time {
	switch interval {
	case "WEEK":
		return b.AddDate(0, 0, 7)
	case "MONTH":
		return b.AddDate(0, 1, 0)
	case "YEAR":
		return b.AddDate(1, 0, 0)
	}
	return b.AddDate(0, 0, 1)
}

// checkHistogram compares the histogram with what the API answers for
// filter, and with the events the list holds.
//
// The bars are eventCounts with timeMatch OVERLAPS for the histogram's
// filter, field for field. An event dated to a span counts in every bucket
// its span overlaps (within the counted range), so the counts no longer
// add up to the events listed; what holds, exactly: each listed event
// whose span lies in one bucket is certain there and nowhere else, so the
// certain parts add up to the listed events less those whose span crosses
// a bucket's end; the counts add up to the buckets each event's span
// meets in the range; and the caption's total (data-events) is the number
// of events listed. Both sums are found here from the events' spans.
func (s *site) checkHistogram(filter map[string]any) {
	s.t.Helper()
	bars, _ := s.bars()
	countFilter, interval := s.histogramFilter(filter)
	if want := s.apiCounts(countFilter, interval); !slices.Equal(bars, want) {
		s.t.Errorf("the histogram (per %s) shows %v,\neventCounts(OVERLAPS) answers %v", interval, bars, want)
	}

	events := s.apiSpans(filter)
	_, eventTotal := s.apiTimeline(merge(filter, map[string]any{"include": []string{"EVENT"}}))
	var shown int
	s.eval(`Number(document.getElementById('histogram').dataset.events)`, &shown)
	if shown != eventTotal || len(events) != eventTotal {
		s.t.Errorf("the histogram's total is %d events; the timeline holds %d (%d read)", shown, eventTotal, len(events))
	}
	lo := bucketStart(parseInstant(s.t, countFilter["from"].(string)), "DAY")
	hi := bucketStart(parseInstant(s.t, countFilter["to"].(string)).Add(-time.Millisecond), "DAY")
	type part struct{ count, certain int }
	want := map[string]part{}
	spread := 0
	for _, e := range events {
		first := parseInstant(s.t, e.When.Earliest)
		last := parseInstant(s.t, e.When.Latest).Add(-time.Millisecond)
		certain := bucketStart(first, interval).Equal(bucketStart(last, interval))
		if !certain {
			spread++
		}
		from, to := bucketStart(first, "DAY"), bucketStart(last, "DAY")
		if from.Before(lo) {
			from = lo
		}
		if to.After(hi) {
			to = hi
		}
		for b := bucketStart(from, interval); !b.After(to); b = bucketAfter(b, interval) {
			k := b.Format(time.RFC3339)
			p := want[k]
			p.count++
			if certain {
				p.certain++
			}
			want[k] = p
		}
	}
	got := map[string]part{}
	sumCount, sumCertain := 0, 0
	for _, b := range bars {
		got[b.Start] = part{b.Count, b.Certain}
		sumCount += b.Count
		sumCertain += b.Certain
	}
	if !maps.Equal(got, want) {
		s.t.Errorf("the bars (count, certain) per %s are %v; the listed events' spans give %v", interval, got, want)
	}
	if sumCertain != eventTotal-spread || sumCertain > eventTotal || sumCount < eventTotal {
		s.t.Errorf("the certain parts add up to %d and the counts to %d; the list holds %d events, %d of them spread over several %ss",
			sumCertain, sumCount, eventTotal, spread, strings.ToLower(interval))
	}
}

func merge(a, b map[string]any) map[string]any {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

// monthsWithSpans are the months (first days, "2006-01-02") in which some
// event starts whose span reaches past the month, by eventCounts: a count
// greater than its certain part.
func (s *site) monthsWithSpans() []bucket {
	s.t.Helper()
	var r struct {
		EventCounts []bucket `json:"eventCounts"`
	}
	json.Unmarshal(s.graphql(`{ eventCounts(interval: MONTH) { start count certain fatalities fatalitiesLow fatalitiesHigh } }`, nil), &r)
	var out []bucket
	for _, b := range r.EventCounts {
		if b.Count > b.Certain {
			b.Start = b.Start[:10]
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		s.t.Fatal("no event of the real samples spans more than one month")
	}
	return out
}

func addMonths(t *testing.T, day string, n int) string {
	return parseInstant(t, day).AddDate(0, n, 0).Format(time.DateOnly)
}

// matchMonth is the first month of the real samples, by eventCounts, in
// which the items that start, overlap and lie within it differ (and some
// lie within it), as timeline answers.
func (s *site) matchMonth() (from, to string) {
	s.t.Helper()
	total := func(from, to, match string) int {
		_, n := s.apiTimeline(map[string]any{"from": from, "to": to, "timeMatch": match})
		return n
	}
	for _, b := range s.monthsWithSpans() {
		f, u := b.Start, addMonths(s.t, b.Start, 1)
		start, overlaps, within := total(f, u, "START"), total(f, u, "OVERLAPS"), total(f, u, "WITHIN")
		if within > 0 && start != within && overlaps != start {
			s.t.Logf("%s to %s: %d items start in it, %d overlap it, %d lie within it", f, u, start, overlaps, within)
			return f, u
		}
	}
	s.t.Fatal("no month of the real samples in which START, OVERLAPS and WITHIN select different items")
	return "", ""
}

// barShape is a bar as drawn: its height and those of its two parts.
type barShape struct {
	Start                     string
	Height, Certain, Spread   float64
	CertainCount, SpreadCount int
	Label                     string
	Range                     *struct{ Low, High int }
}

func (s *site) barShapes() []barShape {
	s.t.Helper()
	var out []barShape
	s.eval(`[...document.querySelectorAll('#histogram rect.bar')].map(r => {
		const part = (cls) => document.querySelector('#histogram .bar-parts rect.' + cls + '[data-start="' + r.dataset.start + '"]');
		const c = part('certain'), u = part('uncertain');
		const range = document.querySelector('#histogram .fatalities path.range[data-start="' + r.dataset.start + '"]');
		return {Start: r.dataset.start, Height: r.height.baseVal.value,
			Certain: c ? c.height.baseVal.value : 0, Spread: u ? u.height.baseVal.value : 0,
			CertainCount: c ? Number(c.dataset.count) : 0, SpreadCount: u ? Number(u.dataset.count) : 0,
			Label: r.getAttribute('aria-label') + ' | ' + r.querySelector('title').textContent,
			Range: range ? {Low: Number(range.dataset.low), High: Number(range.dataset.high)} : null};
	})`, &out)
	return out
}

// deadPhrase is how a bar names its fatalities.
func deadPhrase(b bucket) string {
	reported := fmt.Sprintf(" (%d reported)", b.Fatalities)
	if b.FatalitiesLow == b.FatalitiesHigh {
		if b.Fatalities == b.FatalitiesLow {
			return fmt.Sprintf("%d dead", b.Fatalities)
		}
		return fmt.Sprintf("%d dead", b.FatalitiesLow) + reported
	}
	return fmt.Sprintf("%d–%d dead", b.FatalitiesLow, b.FatalitiesHigh) + reported
}

// On the real samples, each bar's hatched part is the API's count less its
// certain part for the histogram's filter and interval, drawn to scale
// beside the solid certain part, and its fatalities are the API's range
// where the estimates disagree: a whisker from the low sum to the high,
// and "L–H dead" in its label.
func TestHistogramUncertainty(t *testing.T) {
	s := openRealData(t)
	// Six months from the first month in which an event starts that
	// reaches past it and whose fatality estimates disagree: weekly bars.
	var month string
	for _, b := range s.monthsWithSpans() {
		if b.FatalitiesLow < b.FatalitiesHigh {
			month = b.Start
			break
		}
	}
	if month == "" {
		t.Fatal("no month of the real samples has an event spanning past it with disagreeing estimates")
	}
	filter := map[string]any{"from": month, "to": addMonths(t, month, 6)}
	openDashboard(s, fmt.Sprintf("#from=%s&to=%s", filter["from"], filter["to"]))
	s.checkAgainstAPI(filter)

	bars, interval := s.bars()
	if interval != "WEEK" {
		t.Errorf("six months are drawn per %s, want WEEK", interval)
	}
	shapes := s.barShapes()
	if len(shapes) != len(bars) {
		t.Fatalf("%d bars, %d shapes", len(bars), len(shapes))
	}
	spread, ranges := 0, 0
	for i, b := range bars {
		sh := shapes[i]
		if sh.SpreadCount != b.Count-b.Certain || sh.CertainCount != b.Certain {
			t.Errorf("the bar of %s draws %d certain and %d hatched; eventCounts says %d of %d certain",
				b.Start, sh.CertainCount, sh.SpreadCount, b.Certain, b.Count)
		}
		if b.Count > b.Certain {
			spread++
		}
		// Drawn to scale: each part's share of the bar's height is its
		// share of the count (within a pixel, the least drawn).
		if w := sh.Height * float64(b.Count-b.Certain) / float64(b.Count); b.Count > b.Certain && math.Abs(sh.Spread-w) > 1 {
			t.Errorf("the hatched part of %s is %.1f px of %.1f; %d of %d events want %.1f", b.Start, sh.Spread, sh.Height, b.Count-b.Certain, b.Count, w)
		}
		if w := sh.Height * float64(b.Certain) / float64(b.Count); b.Certain > 0 && math.Abs(sh.Certain-w) > 1 {
			t.Errorf("the solid part of %s is %.1f px of %.1f; %d of %d events want %.1f", b.Start, sh.Certain, sh.Height, b.Certain, b.Count, w)
		}
		if b.FatalitiesLow < b.FatalitiesHigh {
			ranges++
			if sh.Range == nil || sh.Range.Low != b.FatalitiesLow || sh.Range.High != b.FatalitiesHigh {
				t.Errorf("the whisker of %s is %+v; eventCounts gives %d–%d", b.Start, sh.Range, b.FatalitiesLow, b.FatalitiesHigh)
			}
		} else if sh.Range != nil {
			t.Errorf("the bar of %s has a whisker %+v though its estimates agree (%d)", b.Start, sh.Range, b.FatalitiesLow)
		}
		if want := deadPhrase(b); strings.Count(sh.Label, ": "+fmt.Sprint(b.Count)+" event") != 2 || strings.Count(sh.Label, want) != 2 {
			t.Errorf("the bar of %s is labelled %q; want its %d events and %q in its label and its title", b.Start, sh.Label, b.Count, want)
		}
	}
	if spread == 0 || ranges == 0 {
		t.Errorf("%d bars with a hatched part and %d with a fatality range from %s: want some of each", spread, ranges, month)
	}
	s.screenshot("histogram-uncertainty")

	// Overlapping the range: the events under way when it opens count too.
	s.run("match by overlap", chromedp.SetValue(`#f-match`, "OVERLAPS", chromedp.ByID), chromedp.Click(`#apply`, chromedp.ByID))
	s.waitJS("the match in the URL", `location.hash.includes('match=OVERLAPS')`)
	s.waitReady("the views by overlap")
	s.checkAgainstAPI(merge(filter, map[string]any{"timeMatch": "OVERLAPS"}))
}

// The time-match control selects by the start, by overlap or by the whole
// span, in every view: on a month of the real samples in which the three
// select different items, the list is what timeline(filter: {timeMatch})
// answers and the histogram what eventCounts answers, and the choice is
// kept in the URL.
func TestHistogramTimeMatchControl(t *testing.T) {
	s := openRealData(t)
	from, to := s.matchMonth()
	filter := map[string]any{"from": from, "to": to}
	openDashboard(s, fmt.Sprintf("#from=%s&to=%s", from, to))
	s.checkAgainstAPI(filter)
	for _, match := range []string{"WITHIN", "OVERLAPS", "START"} {
		s.run("match by "+match, chromedp.SetValue(`#f-match`, match, chromedp.ByID), chromedp.Click(`#apply`, chromedp.ByID))
		if match == "START" {
			s.waitJS("the match gone from the URL", `!location.hash.includes('match=')`)
		} else {
			s.waitJS("the match in the URL", fmt.Sprintf(`location.hash.includes('match=%s')`, match))
		}
		s.waitReady("the views matched by " + match)
		s.checkAgainstAPI(merge(filter, map[string]any{"timeMatch": match}))
	}

	// A URL with a match opens on it (loaded afresh, not as a hash change).
	s.run("leave the page", chromedp.Navigate("about:blank"))
	openDashboard(s, fmt.Sprintf("#from=%s&to=%s&match=WITHIN", from, to))
	var shown string
	s.eval(`document.getElementById('f-match').value`, &shown)
	if shown != "WITHIN" {
		t.Errorf("#f-match = %q on a URL with match=WITHIN", shown)
	}
	s.checkAgainstAPI(merge(filter, map[string]any{"timeMatch": "WITHIN"}))

	// With an open end the histogram closes it at the first (or after the
	// last) event's start, selecting the same events (histogramFilter).
	for _, f := range []map[string]any{{"timeMatch": "WITHIN"}, {"to": to, "timeMatch": "WITHIN"}, {"from": from, "timeMatch": "OVERLAPS"}} {
		s.run("leave the page", chromedp.Navigate("about:blank"))
		hash := "match=" + f["timeMatch"].(string)
		for _, k := range []string{"from", "to"} {
			if v, ok := f[k].(string); ok {
				hash += "&" + k + "=" + v
			}
		}
		openDashboard(s, "#"+hash)
		s.checkAgainstAPI(f)
	}
}

// recordRequests makes the page keep every GraphQL document it sends, over
// HTTP and over the live websocket, in window.__sent, from its first script
// on: {op, filter} for each, op the operation's name.
func (s *site) recordRequests() {
	s.t.Helper()
	s.run("record the page's requests", chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := cdppage.AddScriptToEvaluateOnNewDocument(`(() => {
			window.__sent = [];
			const keep = (body) => {
				try {
					const m = JSON.parse(body);
					const p = m.payload || m;
					if (!p.query) return;
					const op = (p.query.match(/^\s*(?:query|subscription)\s+(\w+)/m) || [])[1] || '';
					window.__sent.push({op, filter: (p.variables || {}).filter || null});
				} catch (e) {}
			};
			const fetch = window.fetch;
			window.fetch = function (input, init) {
				if (init && typeof init.body === 'string') keep(init.body);
				return fetch.apply(this, arguments);
			};
			const send = WebSocket.prototype.send;
			WebSocket.prototype.send = function (data) {
				if (typeof data === 'string') keep(data);
				return send.apply(this, arguments);
			};
		})()`).Do(ctx)
		return err
	}))
}

// Every view that selects items by time sends the time match: the list,
// its total, the histogram, the map's counts and the live subscription
// (the network's GraphFilter has none, so it is left out of the check).
func TestHistogramTimeMatchEveryView(t *testing.T) {
	s := openRealData(t)
	from, to := s.matchMonth()
	s.recordRequests()
	openDashboard(s, fmt.Sprintf("#from=%s&to=%s&match=WITHIN", from, to))
	s.checkAgainstAPI(map[string]any{"from": from, "to": to, "timeMatch": "WITHIN"})
	var sent []struct {
		Op     string         `json:"op"`
		Filter map[string]any `json:"filter"`
	}
	s.eval(`window.__sent`, &sent)
	ops := map[string]bool{}
	for _, r := range sent {
		if r.Filter == nil || r.Op == "Neighborhood" {
			continue
		}
		ops[r.Op] = true
		if r.Filter["from"] != from || r.Filter["to"] != to || r.Filter["timeMatch"] != "WITHIN" {
			t.Errorf("%s was sent the filter %v; want from %s, to %s and timeMatch WITHIN", r.Op, r.Filter, from, to)
		}
	}
	for _, op := range []string{"Timeline", "HistogramCounts", "EventCounts", "Live"} {
		if !ops[op] {
			t.Errorf("no %s request with a filter among %v", op, sent)
		}
	}
}
