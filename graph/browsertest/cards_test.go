package browsertest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The timeline's cards and the event page, on the real samples: a card
// shows every field the API has for its event, spans read as spans, and
// an event's page shows its chain both ways and the statements about it.

// cardEventFields are the fields of an event the tests compare a card or
// an event page with.
const cardEventFields = `key title summary type occurredAt precision endedAt endedPrecision
	when { earliest latest precision } fatalities injured intensity tags
	codes { scheme code label }
	estimates { measure low best high note source { key title } }
	location { place lat lon country { name } }
	participants { role as actor { key name } }
	sources { key title publisher }`

type apiSpan struct {
	Earliest  string `json:"earliest"`
	Latest    string `json:"latest"`
	Precision string `json:"precision"`
}

type apiEstimate struct {
	Measure string `json:"measure"`
	Low     *int   `json:"low"`
	Best    *int   `json:"best"`
	High    *int   `json:"high"`
	Note    *string
	Source  *struct {
		Key   string  `json:"key"`
		Title *string `json:"title"`
	} `json:"source"`
}

type apiEvent struct {
	Key            string   `json:"key"`
	Title          string   `json:"title"`
	Summary        *string  `json:"summary"`
	Type           string   `json:"type"`
	OccurredAt     string   `json:"occurredAt"`
	EndedAt        *string  `json:"endedAt"`
	EndedPrecision *string  `json:"endedPrecision"`
	When           apiSpan  `json:"when"`
	Fatalities     *int     `json:"fatalities"`
	Injured        *int     `json:"injured"`
	Intensity      *float64 `json:"intensity"`
	Tags           []string `json:"tags"`
	Codes          []struct {
		Scheme string  `json:"scheme"`
		Code   string  `json:"code"`
		Label  *string `json:"label"`
	} `json:"codes"`
	Estimates []apiEstimate `json:"estimates"`
	Location  *struct {
		Place   *string  `json:"place"`
		Lat     *float64 `json:"lat"`
		Lon     *float64 `json:"lon"`
		Country *struct {
			Name string `json:"name"`
		} `json:"country"`
	} `json:"location"`
	Participants []struct {
		Role  string  `json:"role"`
		As    *string `json:"as"`
		Actor struct {
			Key  string `json:"key"`
			Name string `json:"name"`
		} `json:"actor"`
	} `json:"participants"`
	Sources []struct {
		Key       string  `json:"key"`
		Title     *string `json:"title"`
		Publisher *string `json:"publisher"`
	} `json:"sources"`
}

var monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December"}

var precisionRank = map[string]int{"YEAR": 0, "MONTH": 1, "DAY": 2, "MINUTE": 3, "SECOND": 4}

// spanText is how a card must write a span (format.js's formatSpan, written
// again here from its rule): one period as itself, a longer span as its
// first and last periods sharing what they share.
func spanText(t *testing.T, s apiSpan) string {
	t.Helper()
	start, err := time.Parse(time.RFC3339, s.Earliest)
	if err != nil {
		t.Fatal(err)
	}
	end, err := time.Parse(time.RFC3339, s.Latest)
	if err != nil {
		t.Fatal(err)
	}
	align := func(d time.Time) string {
		switch {
		case d.Nanosecond() != 0 || d.Second() != 0:
			return "SECOND"
		case d.Minute() != 0 || d.Hour() != 0:
			return "MINUTE"
		case d.Day() != 1:
			return "DAY"
		case d.Month() != time.January:
			return "MONTH"
		}
		return "YEAR"
	}
	finer := func(a, b string) string {
		if precisionRank[a] >= precisionRank[b] {
			return a
		}
		return b
	}
	add := func(d time.Time, p string, n int) time.Time {
		switch p {
		case "YEAR":
			return d.AddDate(n, 0, 0)
		case "MONTH":
			return d.AddDate(0, n, 0)
		case "DAY":
			return d.AddDate(0, 0, n)
		case "MINUTE":
			return d.Add(time.Duration(n) * time.Minute)
		}
		return d.Add(time.Duration(n) * time.Second)
	}
	part := datePart
	sp, ep := finer(s.Precision, align(start)), finer(s.Precision, align(end))
	if sp == ep && !add(start, sp, 1).Before(end) {
		return part(start, sp)
	}
	last := add(end, ep, -1)
	sameYear := start.Year() == last.Year()
	sameMonth := sameYear && start.Month() == last.Month()
	switch {
	case sp == "DAY" && ep == "DAY" && sameMonth:
		return fmt.Sprintf("between %d and %s", start.Day(), part(last, "DAY"))
	case sameYear && (sp == "DAY" || sp == "MONTH") && (ep == "DAY" || ep == "MONTH"):
		first := monthNames[start.Month()-1]
		if sp == "DAY" {
			first = strconv.Itoa(start.Day()) + " " + first
		}
		return "between " + first + " and " + part(last, ep)
	}
	return "between " + part(start, sp) + " and " + part(last, ep)
}

// datePart writes one date to a precision, month names in full (format.js's
// formatPart).
func datePart(d time.Time, p string) string {
	date := fmt.Sprintf("%d %s %d", d.Day(), monthNames[d.Month()-1], d.Year())
	switch p {
	case "YEAR":
		return strconv.Itoa(d.Year())
	case "MONTH":
		return monthNames[d.Month()-1] + " " + strconv.Itoa(d.Year())
	case "DAY":
		return date
	case "MINUTE":
		return date + d.Format(", 15:04 UTC")
	}
	return date + d.Format(", 15:04:05 UTC")
}

// The rule itself, on the examples.
func TestCardsSpanText(t *testing.T) {
	for _, tt := range []struct {
		span apiSpan
		want string
	}{
		{apiSpan{"1989-05-10T00:00:00Z", "1989-05-17T00:00:00Z", "DAY"}, "between 10 and 16 May 1989"},
		{apiSpan{"1989-05-10T00:00:00Z", "1989-05-11T00:00:00Z", "DAY"}, "10 May 1989"},
		{apiSpan{"2025-04-01T00:00:00Z", "2025-05-01T00:00:00Z", "MONTH"}, "April 2025"},
		{apiSpan{"2019-01-01T00:00:00Z", "2020-01-01T00:00:00Z", "YEAR"}, "2019"},
		{apiSpan{"2025-03-13T00:00:00Z", "2025-05-08T00:00:00Z", "DAY"}, "between 13 March and 7 May 2025"},
		{apiSpan{"2025-04-01T00:00:00Z", "2025-07-01T00:00:00Z", "MONTH"}, "between April and June 2025"},
		{apiSpan{"2024-12-30T00:00:00Z", "2025-01-03T00:00:00Z", "DAY"}, "between 30 December 2024 and 2 January 2025"},
		{apiSpan{"2025-05-08T14:30:00Z", "2025-05-08T14:31:00Z", "MINUTE"}, "8 May 2025, 14:30 UTC"},
		{apiSpan{"2025-04-01T00:00:00Z", "2025-06-16T00:00:00Z", "MONTH"}, "between April and 15 June 2025"},
		{apiSpan{"2025-03-13T00:00:00Z", "2025-06-01T00:00:00Z", "MONTH"}, "between 13 March and May 2025"},
		{apiSpan{"2019-01-01T00:00:00Z", "2022-01-01T00:00:00Z", "YEAR"}, "between 2019 and 2021"},
	} {
		if got := spanText(t, tt.span); got != tt.want {
			t.Errorf("spanText(%v) = %q, want %q", tt.span, got, tt.want)
		}
	}
}

// figureRange is a measure's range as the card must show it (eventCounts'
// fatalitiesLow/High rule): the least and greatest estimates, or the
// reported figure without estimates.
func figureRange(estimates []apiEstimate, measure string, reported *int) (low, high int, ok bool) {
	first := func(ps ...*int) int {
		for _, p := range ps {
			if p != nil {
				return *p
			}
		}
		return 0
	}
	for _, e := range estimates {
		if e.Measure != measure {
			continue
		}
		l, h := first(e.Low, e.Best, e.High), first(e.High, e.Best, e.Low)
		if !ok || l < low {
			low = l
		}
		if !ok || h > high {
			high = h
		}
		ok = true
	}
	if !ok && reported != nil {
		return *reported, *reported, true
	}
	return low, high, ok
}

func rangeText(low, high int) string {
	if low == high {
		return strconv.Itoa(low)
	}
	return fmt.Sprintf("%d–%d", low, high)
}

func humanize(enum string) string {
	s := strings.ToLower(strings.ReplaceAll(enum, "_", " "))
	return strings.ToUpper(s[:1]) + s[1:]
}

func num(p *int) string {
	if p == nil {
		return "–"
	}
	return strconv.Itoa(*p)
}

// apiEvents asks the API for events (cardEventFields) matching filter.
func (s *site) apiEvents(filter map[string]any, order string, first int) []apiEvent {
	s.t.Helper()
	var r struct {
		Events struct {
			Nodes []apiEvent `json:"nodes"`
		} `json:"events"`
	}
	data := s.graphql(`query($f: EventFilter, $o: SortOrder, $n: Int) { events(filter: $f, order: $o, first: $n) { nodes { `+cardEventFields+` } } }`,
		map[string]any{"f": filter, "o": order, "n": first})
	if err := json.Unmarshal(data, &r); err != nil {
		s.t.Fatal(err)
	}
	return r.Events.Nodes
}

// showListed opens the dashboard on the day an event starts, with the
// API listing it there, and waits until its card is shown.
func (s *site) showListed(ev apiEvent) string {
	s.t.Helper()
	day, err := time.Parse(time.RFC3339, ev.When.Earliest)
	if err != nil {
		s.t.Fatal(err)
	}
	from, to := day.Format("2006-01-02"), day.AddDate(0, 0, 1).Format("2006-01-02")
	keys, _ := s.apiTimeline(map[string]any{"from": from, "to": to})
	if !slices.Contains(keys, ev.Key) {
		s.t.Fatalf("the API's first page from %s to %s does not list %s: %v", from, to, ev.Key, keys)
	}
	hash := "#from=" + from + "&to=" + to
	var current string
	s.eval(`location.pathname + location.hash`, &current)
	if current == "/dashboard"+hash {
		// already shown
	} else if strings.HasPrefix(current, "/dashboard") {
		s.run("show "+ev.Key, chromedp.Evaluate(fmt.Sprintf(`location.hash = %q`, hash), nil))
	} else {
		openDashboard(s, hash)
	}
	card := fmt.Sprintf(`#timeline li.item[data-key=%q]`, ev.Key)
	s.waitJS("the card of "+ev.Key, `document.body.dataset.state === 'ready' && document.querySelector('`+card+`') !== null`)
	return card
}

// cardText is a card's parts as the page shows them.
type cardText struct {
	Span, Precision, Fatal, Injured, Title, Summary, Where, DetailsSummary string
	Tags, Codes, Sources, SourceKeys, Participants, ParticipantKeys        []string
	Estimates                                                              [][]string
	Facts                                                                  map[string]string
	Link                                                                   string
	All                                                                    string
}

func (s *site) card(sel string) cardText {
	s.t.Helper()
	var c cardText
	s.eval(fmt.Sprintf(`(() => {
		const li = document.querySelector(%q);
		const text = (q) => { const e = li.querySelector(q); return e ? e.textContent : ''; };
		const all = (q) => [...li.querySelectorAll(q)].map(e => e.textContent);
		const facts = {};
		for (const dt of li.querySelectorAll('.facts dt')) facts[dt.textContent] = dt.nextElementSibling.textContent;
		return {
			Span: text('.meta time.span'), Precision: text('.meta .precision'), Fatal: text('.meta .fatal'), Injured: text('.meta .injured'),
			Title: text('.title'), Summary: text('.summary'), Where: text('.where'), DetailsSummary: text('details.more > summary'),
			Tags: all('.tags li'), Codes: all('.codes li'), Sources: all('.sources > li'),
			SourceKeys: [...li.querySelectorAll('.sources > li')].map(e => e.dataset.key),
			Participants: all('.who .participant'), ParticipantKeys: [...li.querySelectorAll('.who .participant')].map(e => e.dataset.key),
			Estimates: [...li.querySelectorAll('table.estimates tbody tr')].map(tr => [...tr.cells].map(td => td.textContent)),
			Facts: facts, Link: (li.querySelector('.title a.event-link') || {}).getAttribute?.('href') || '',
			All: li.textContent,
		};
	})()`, sel), &c)
	return c
}

// checkCard compares a card with the API's event, field by field.
func checkCard(t *testing.T, c cardText, ev apiEvent) {
	t.Helper()
	eq := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: card %s = %q, want %q", ev.Key, what, fmt.Sprint(got), fmt.Sprint(want))
		}
	}
	eq("span", c.Span, spanText(t, ev.When))
	eq("precision", c.Precision, strings.ToLower(ev.When.Precision))
	eq("title", c.Title, ev.Title)
	eq("link", c.Link, "#event="+ev.Key)
	summary := ""
	if ev.Summary != nil {
		summary = *ev.Summary
	}
	eq("summary", c.Summary, summary)
	fatal, injured := "", ""
	if lo, hi, ok := figureRange(ev.Estimates, "FATALITIES", ev.Fatalities); ok && hi > 0 {
		fatal = rangeText(lo, hi) + " dead"
	}
	if lo, hi, ok := figureRange(ev.Estimates, "INJURED", ev.Injured); ok && hi > 0 {
		injured = rangeText(lo, hi) + " injured"
	}
	eq("fatalities", c.Fatal, fatal)
	eq("injured", c.Injured, injured)
	tags := ev.Tags
	if tags == nil {
		tags = []string{}
	}
	eq("tags", c.Tags, tags)
	var codes []string
	for _, code := range ev.Codes {
		text := code.Scheme + ":" + code.Code
		if code.Label != nil {
			text += " " + *code.Label
		}
		codes = append(codes, text)
	}
	eq("codes", c.Codes, codes)
	var ests [][]string
	for _, e := range ev.Estimates {
		what := map[string]string{"FATALITIES": "Dead", "INJURED": "Injured"}[e.Measure]
		src, note := "–", ""
		if e.Source != nil {
			src = e.Source.Key
			if e.Source.Title != nil {
				src = *e.Source.Title
			}
		}
		if e.Note != nil {
			note = *e.Note
		}
		ests = append(ests, []string{what, num(e.Low), num(e.Best), num(e.High), src, note})
	}
	eq("estimates", c.Estimates, ests)
	var parts, partKeys []string
	for _, p := range ev.Participants {
		text := p.Actor.Name
		if p.As != nil && *p.As != p.Actor.Name {
			text += " (as “" + *p.As + "”)"
		}
		parts = append(parts, text)
		partKeys = append(partKeys, p.Actor.Key)
		if !strings.Contains(c.All, humanize(p.Role)+": ") {
			t.Errorf("%s: the card does not name the role %s", ev.Key, p.Role)
		}
	}
	eq("participants", c.Participants, parts)
	eq("participant keys", c.ParticipantKeys, partKeys)
	var srcs, srcKeys []string
	for _, src := range ev.Sources {
		text := src.Key
		if src.Publisher != nil {
			text = *src.Publisher
		}
		if src.Title != nil {
			text = *src.Title
			if src.Publisher != nil {
				text += " · " + *src.Publisher
			}
		}
		srcs = append(srcs, text)
		srcKeys = append(srcKeys, src.Key)
	}
	eq("sources", c.Sources, srcs)
	eq("source keys", c.SourceKeys, srcKeys)
	where := ""
	if l := ev.Location; l != nil {
		var ps []string
		if l.Place != nil {
			ps = append(ps, *l.Place)
		}
		if l.Country != nil {
			ps = append(ps, l.Country.Name)
		}
		if len(ps) > 0 {
			where = "Where " + strings.Join(ps, ", ")
		}
	}
	eq("where", c.Where, where)
	facts := map[string]string{}
	if ev.Fatalities != nil {
		facts["Fatalities reported"] = strconv.Itoa(*ev.Fatalities)
	}
	if ev.Injured != nil {
		facts["Injured reported"] = strconv.Itoa(*ev.Injured)
	}
	if ev.Intensity != nil {
		facts["Intensity"] = strconv.FormatFloat(*ev.Intensity, 'f', -1, 64)
	}
	if l := ev.Location; l != nil && l.Lat != nil && l.Lon != nil {
		facts["Coordinates"] = strconv.FormatFloat(*l.Lat, 'f', -1, 64) + ", " + strconv.FormatFloat(*l.Lon, 'f', -1, 64)
	}
	if ev.EndedAt != nil {
		facts["Ended"] = datePart(mustTime(t, *ev.EndedAt), *ev.EndedPrecision)
	}
	for name, want := range facts {
		eq("fact "+name, c.Facts[name], want)
	}
	// Nothing missing written as a value.
	raw, _ := json.Marshal(ev)
	for _, word := range []string{"null", "undefined", "NaN", "[object"} {
		if strings.Contains(c.All, word) && !strings.Contains(strings.ReplaceAll(string(raw), ":null", ""), word) {
			t.Errorf("%s: the card reads %q: %s", ev.Key, word, c.All)
		}
	}
	if len(ev.Codes) > 0 || len(ev.Estimates) > 0 {
		if !strings.HasPrefix(c.DetailsSummary, "Details: ") {
			t.Errorf("%s: the codes and estimates are not behind a <details> (summary %q)", ev.Key, c.DetailsSummary)
		}
	}
}

// A UCDP event whose estimates disagree shows every field the API has for
// it, its dead as the estimates' range.
func TestCardsUCDPEstimates(t *testing.T) {
	s := openRealData(t)
	var ev *apiEvent
	for _, e := range s.apiEvents(map[string]any{"codes": []string{"UCDP:*"}}, "ASC", 100) {
		lo, hi, ok := figureRange(e.Estimates, "FATALITIES", e.Fatalities)
		if ok && lo != hi && e.Summary != nil && len(e.Codes) > 1 {
			ev = &e
			break
		}
	}
	if ev == nil {
		t.Fatal("no UCDP event among the first 100 has estimates that disagree")
	}
	sel := s.showListed(*ev)
	c := s.card(sel)
	checkCard(t, c, *ev)
	lo, hi, _ := figureRange(ev.Estimates, "FATALITIES", ev.Fatalities)
	if want := fmt.Sprintf("%d–%d dead", lo, hi); c.Fatal != want {
		t.Errorf("%s: dead %q, want the range %q", ev.Key, c.Fatal, want)
	}
	s.run("open the details", chromedp.Click(sel+` details.more > summary`, chromedp.ByQuery))
	s.run("scroll to it", chromedp.ScrollIntoView(sel, chromedp.ByQuery))
	s.screenshot("cards-ucdp-estimates")

	// Every listed card of the page, whatever its dataset, against the API.
	var keys []string
	s.eval(`[...document.querySelectorAll('#timeline li.item.event')].map(li => li.dataset.key)`, &keys)
	byKey := map[string]apiEvent{}
	day, _ := time.Parse(time.RFC3339, ev.When.Earliest)
	for _, e := range s.apiEvents(map[string]any{"from": day.Format("2006-01-02"), "to": day.AddDate(0, 0, 1).Format("2006-01-02")}, "ASC", 100) {
		byKey[e.Key] = e
	}
	for _, k := range keys {
		checkCard(t, s.card(fmt.Sprintf(`#timeline li.item[data-key=%q]`, k)), byKey[k])
	}
}

// A month-dated event reads as its month, a span as its first and last
// days, and each card shows exactly what the rule makes of its span.
func TestCardsSpans(t *testing.T) {
	s := openRealData(t)
	var month, within, across *apiEvent
	for _, e := range s.apiEvents(map[string]any{"precisions": []string{"MONTH"}}, "ASC", 10) {
		month = &e
		break
	}
	for _, e := range s.apiEvents(map[string]any{"codes": []string{"UCDP:*"}}, "ASC", 100) {
		start, _ := time.Parse(time.RFC3339, e.When.Earliest)
		end, _ := time.Parse(time.RFC3339, e.When.Latest)
		if e.When.Precision != "DAY" || !end.After(start.AddDate(0, 0, 1)) {
			continue
		}
		last := end.AddDate(0, 0, -1)
		if within == nil && last.Month() == start.Month() {
			within = &e
		}
		if across == nil && last.Month() != start.Month() {
			across = &e
		}
	}
	if month == nil || within == nil || across == nil {
		t.Fatalf("want a month-dated event and two spans in the data; found %v, %v, %v", month, within, across)
	}
	wantMonth := monthNames[mustTime(t, month.When.Earliest).Month()-1] + " " + strconv.Itoa(mustTime(t, month.When.Earliest).Year())
	if got := spanText(t, month.When); got != wantMonth {
		t.Errorf("the rule writes %s's month %v as %q, want %q", month.Key, month.When, got, wantMonth)
	}
	if got := spanText(t, within.When); !strings.HasPrefix(got, "between ") {
		t.Errorf("the rule writes %s's span %v as %q, not as a span", within.Key, within.When, got)
	}
	for i, ev := range []apiEvent{*month, *within, *across} {
		c := s.card(s.showListed(ev))
		if want := spanText(t, ev.When); c.Span != want {
			t.Errorf("%s (%v): the card reads %q, want %q", ev.Key, ev.When, c.Span, want)
		}
		checkCard(t, c, ev)
		if i == 1 {
			s.screenshot("cards-span")
		}
	}
}

// An event written with an end, figures from two sources that disagree,
// injuries and a mention shows them all: the span to the end of its end
// month, the dead as the range over both sources, each estimate's source.
func TestCardsEndAndSources(t *testing.T) {
	s := openRealData(t)
	s.graphql(`mutation { upsertEvent(input: {key: "cards-clash", type: ATTACK, title: "A clash reported twice",
		summary: "Two counts of one clash.", occurredAt: "2025-04", endedAt: "2025-06-15", fatalities: 12, injured: 30,
		tags: ["cards", "test"], codes: [{scheme: "UCDP", code: "1", label: "State-based conflict"}, {scheme: "CAMEO", code: "190"}],
		estimates: [{measure: FATALITIES, low: 10, best: 12, source: "ucdp-ged", note: "GED count"},
		            {measure: FATALITIES, best: 16, high: 20, source: "rubio-calls-jaishankar-sharif-2025-05-08"},
		            {measure: INJURED, low: 25, high: 30}],
		participants: [{actor: "india", role: INITIATOR, as: "Indian troops"}, {actor: "pakistan", role: TARGET}],
		location: {place: "Line of Control", country: "IN", lat: 34.5, lon: 74.25},
		sources: ["ucdp-ged"]}) { key } }`, nil)
	var one struct {
		Event apiEvent `json:"event"`
	}
	json.Unmarshal(s.graphql(`{ event(key: "cards-clash") { `+cardEventFields+` } }`, nil), &one)
	ev := one.Event
	c := s.card(s.showListed(ev))
	checkCard(t, c, ev)
	for what, pair := range map[string][2]string{
		"span": {c.Span, "between April and 15 June 2025"}, "dead": {c.Fatal, "10–20 dead"}, "injured": {c.Injured, "25–30 injured"},
		"ended": {c.Facts["Ended"], "15 June 2025"}, "mention": {c.Participants[0], "India (as “Indian troops”)"},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s: %q, want %q", what, pair[0], pair[1])
		}
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

type apiChain struct {
	Truncated bool `json:"truncated"`
	Nodes     []struct {
		ID    string `json:"id"`
		Key   string `json:"key"`
		Title string `json:"title"`
	} `json:"nodes"`
	Edges []struct {
		Role string `json:"role"`
		From struct {
			ID string `json:"id"`
		} `json:"from"`
		To struct {
			ID string `json:"id"`
		} `json:"to"`
	} `json:"edges"`
}

// rows are the chain's links as "from kind to" by key, in the API's order.
func (c apiChain) rows() []string {
	key := map[string]string{}
	for _, n := range c.Nodes {
		key[n.ID] = n.Key
	}
	var out []string
	for _, e := range c.Edges {
		out = append(out, key[e.From.ID]+" "+e.Role+" "+key[e.To.ID])
	}
	return out
}

// An event's page, opened from its card, shows the event, exactly the
// chain eventChain answers both ways and the statements about it; Back
// returns to the list as it was.
func TestEventPage(t *testing.T) {
	s := openRealData(t)
	// The newest event that both responds to one and was answered, with
	// statements about it.
	var r struct {
		Events struct {
			Nodes []struct {
				Key        string `json:"key"`
				Links      []any  `json:"links"`
				LinkedFrom []any  `json:"linkedFrom"`
				Statements []any  `json:"statements"`
			} `json:"nodes"`
		} `json:"events"`
	}
	json.Unmarshal(s.graphql(`{ events(order: DESC, first: 100) { nodes { key links { kind } linkedFrom { kind } statements { key } } } }`, nil), &r)
	key := ""
	for _, n := range r.Events.Nodes {
		if len(n.Links) > 0 && len(n.LinkedFrom) > 0 && len(n.Statements) > 0 {
			key = n.Key
			break
		}
	}
	if key == "" {
		t.Fatal("no event among the newest 100 has links both ways and statements")
	}
	var one struct {
		Event apiEvent `json:"event"`
	}
	json.Unmarshal(s.graphql(`query($k: String!) { event(key: $k) { `+cardEventFields+` } }`, map[string]any{"k": key}), &one)
	event := one.Event
	var api struct {
		Backward apiChain `json:"backward"`
		Forward  apiChain `json:"forward"`
		Event    struct {
			Statements []apiStatement `json:"statements"`
		} `json:"event"`
	}
	json.Unmarshal(s.graphql(`query($ref: ID!, $key: String!) {
		backward: eventChain(event: $ref, direction: BACKWARD) { truncated nodes { id ... on Event { key title } } edges { role from { id } to { id } } }
		forward: eventChain(event: $ref, direction: FORWARD) { truncated nodes { id ... on Event { key title } } edges { role from { id } to { id } } }
		event(key: $key) { statements { key text summary stances when { earliest latest precision } about { key } coSpeakers { name } } } }`, map[string]any{"ref": "event:" + key, "key": key}), &api)
	if len(api.Backward.Edges) == 0 || len(api.Forward.Edges) == 0 {
		t.Fatalf("%s: the API's chain has no links one way: %+v", key, api)
	}

	sel := s.showListed(event)
	var before []string
	s.eval(`[...document.querySelectorAll('#timeline li.item')].map(li => li.dataset.key)`, &before)
	var hashBefore string
	s.eval(`location.hash`, &hashBefore)
	s.run("click the title", chromedp.Click(sel+` .title a.event-link`, chromedp.ByQuery))
	s.waitJS("the event page", fmt.Sprintf(`document.getElementById('event-page').open && document.getElementById('event-page').dataset.key === %q &&
		document.getElementById('event-page').dataset.state === 'ready' && document.body.dataset.state === 'ready'`, key))
	var hash string
	s.eval(`location.hash`, &hash)
	if want := hashBefore + "&event=" + key; hash != want {
		t.Errorf("the URL's hash is %q with the page open, want %q", hash, want)
	}
	s.checkEventPage(event, api.Backward, api.Forward, api.Event.Statements)
	s.screenshot("event-page")

	// Back: the list as it was, not reloaded.
	s.run("mark the list", chromedp.Evaluate(`document.getElementById('timeline').dataset.mark = 'kept'`, nil))
	s.run("go back", chromedp.NavigateBack())
	s.waitJS("the page to close", `!document.getElementById('event-page').open`)
	s.waitReady("the list")
	var after []string
	var mark string
	s.eval(`location.hash`, &hash)
	s.eval(`[...document.querySelectorAll('#timeline li.item')].map(li => li.dataset.key)`, &after)
	s.eval(`document.getElementById('timeline').dataset.mark || ''`, &mark)
	if hash != hashBefore || !slices.Equal(after, before) || mark != "kept" {
		t.Errorf("after Back: hash %q (want %q), list %v (want %v), mark %q (want the list not reloaded)", hash, hashBefore, after, before, mark)
	}

	// The page as a link of its own, and a chain's link to another page.
	other := api.Backward.Nodes[1].Key
	openDashboard(s, "#event="+key)
	s.waitJS("the event page from the link", fmt.Sprintf(`document.getElementById('event-page').open && document.getElementById('event-page').dataset.state === 'ready' &&
		document.getElementById('event-page').dataset.key === %q`, key))
	s.checkEventPage(event, api.Backward, api.Forward, api.Event.Statements)
	s.run("follow the chain", chromedp.Click(fmt.Sprintf(`#ev-chain .backward a.event-link[data-key=%q]`, other), chromedp.ByQuery))
	s.waitJS("the other event's page", fmt.Sprintf(`document.getElementById('event-page').dataset.key === %q && document.getElementById('event-page').dataset.state === 'ready' &&
		location.hash === '#event=%s'`, other, other))
	s.run("press Escape", chromedp.KeyEvent(kb.Escape))
	s.waitJS("the page to close", `!document.getElementById('event-page').open && !location.hash.includes('event=')`)
	s.run("go back", chromedp.NavigateBack())
	s.waitJS("the page again", fmt.Sprintf(`document.getElementById('event-page').open && document.getElementById('event-page').dataset.key === %q &&
		document.getElementById('event-page').dataset.state === 'ready'`, other))
	s.run("close it", chromedp.Click(`#event-close`, chromedp.ByID))
	s.waitJS("the page to close", `!document.getElementById('event-page').open && !location.hash.includes('event=')`)

	// "Show in the network" closes the page on the network centred on the event.
	var idr struct {
		Event struct {
			ID string `json:"id"`
		} `json:"event"`
	}
	json.Unmarshal(s.graphql(`query($k: String!) { event(key: $k) { id } }`, map[string]any{"k": key}), &idr)
	id := idr.Event.ID
	if id == "" {
		t.Fatalf("no id for %s", key)
	}
	s.run("open the page again", chromedp.Evaluate(fmt.Sprintf(`location.hash = '#event=%s'`, key), nil))
	s.waitJS("the page", `document.getElementById('event-page').open && document.getElementById('event-page').dataset.state === 'ready'`)
	s.run("show it in the network", chromedp.Click(`#event-page-body > .meta button`, chromedp.ByQuery))
	s.waitJS("the network on the event", fmt.Sprintf(`!document.getElementById('event-page').open && document.getElementById('network').dataset.center === %q &&
		!location.hash.includes('event=') && document.body.dataset.state === 'ready'`, id))

	// A key that names no event says so.
	s.run("open a page of nothing", chromedp.Evaluate(`location.hash = '#event=no-such-event'`, nil))
	s.waitJS("the answer", `document.getElementById('event-page').open && document.getElementById('event-page').dataset.state === 'ready' &&
		document.getElementById('event-title').textContent === 'No such event' &&
		document.getElementById('event-page-body').textContent === 'No event has the key “no-such-event”.'`)
}

type apiStatement struct {
	Key        string                  `json:"key"`
	Text       string                  `json:"text"`
	Summary    *string                 `json:"summary"`
	Stances    []string                `json:"stances"`
	When       apiSpan                 `json:"when"`
	About      []struct{ Key string }  `json:"about"`
	CoSpeakers []struct{ Name string } `json:"coSpeakers"`
}

func (s *site) checkEventPage(ev apiEvent, backward, forward apiChain, statements []apiStatement) {
	t := s.t
	t.Helper()
	var page struct {
		Title, Span, Summary       string
		Backward, Forward          []string
		BackTitles, ForwardTitles  []string
		Statements, StatementTexts []string
		Participants               [][]string
		Codes                      []string
		StatementParts             [][]string
	}
	s.eval(`(() => {
		const p = document.getElementById('event-page');
		const rows = (dir) => [...p.querySelectorAll('#ev-chain .' + dir + ' li')].map(li => li.dataset.from + ' ' + li.dataset.kind + ' ' + li.dataset.to);
		const titles = (dir) => [...new Set([...p.querySelectorAll('#ev-chain .' + dir + ' .chain-event')].map(e =>
			e.classList.contains('self') ? e.title : e.querySelector('a.event-link').textContent))].sort();
		return {
			Title: document.getElementById('event-title').textContent,
			Span: p.querySelector('#event-page-body > .meta time.span').textContent,
			Summary: (p.querySelector('#event-page-body > .summary') || {}).textContent || '',
			Backward: rows('backward'), Forward: rows('forward'), BackTitles: titles('backward'), ForwardTitles: titles('forward'),
			Statements: [...p.querySelectorAll('#ev-statements li.item')].map(li => li.dataset.key),
			StatementTexts: [...p.querySelectorAll('#ev-statements li.item .quote')].map(q => q.textContent),
			Participants: [...p.querySelectorAll('table.participants tbody tr')].map(tr => [tr.dataset.key, tr.cells[2].textContent]),
			Codes: [...p.querySelectorAll('.codes li')].map(li => li.dataset.code),
			StatementParts: [...p.querySelectorAll('#ev-statements li.item')].map(li => [
				li.querySelector('.meta time.span').textContent,
				[...li.querySelectorAll('.stances li')].map(e => e.textContent).join(','),
				[...li.querySelectorAll('.about a.event-link')].map(a => a.dataset.key).join(','),
				(li.querySelector('.summary') || {}).textContent || '',
				li.querySelector('.who').textContent]),
		};
	})()`, &page)
	if page.Title != ev.Title || page.Span != spanText(t, ev.When) {
		t.Errorf("the page shows %q, %q; want %q, %q", page.Title, page.Span, ev.Title, spanText(t, ev.When))
	}
	if ev.Summary != nil && page.Summary != *ev.Summary {
		t.Errorf("the page's summary %q, want %q", page.Summary, *ev.Summary)
	}
	titles := func(c apiChain) []string {
		var out []string
		for _, n := range c.Nodes {
			out = append(out, n.Title)
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	if !slices.Equal(page.Backward, backward.rows()) || !slices.Equal(page.BackTitles, titles(backward)) {
		t.Errorf("what led to it: %v %q; eventChain BACKWARD answers %v %q", page.Backward, page.BackTitles, backward.rows(), titles(backward))
	}
	if !slices.Equal(page.Forward, forward.rows()) || !slices.Equal(page.ForwardTitles, titles(forward)) {
		t.Errorf("what followed: %v %q; eventChain FORWARD answers %v %q", page.Forward, page.ForwardTitles, forward.rows(), titles(forward))
	}
	var keys, texts []string
	for _, st := range statements {
		keys = append(keys, st.Key)
		texts = append(texts, st.Text)
	}
	if !slices.Equal(page.Statements, keys) || !slices.Equal(page.StatementTexts, texts) {
		t.Errorf("the statements about it: %v; the API's: %v", page.Statements, keys)
	}
	for i, st := range statements {
		if i >= len(page.StatementParts) {
			break
		}
		got := page.StatementParts[i]
		var stances, about []string
		for _, x := range st.Stances {
			stances = append(stances, humanize(x))
		}
		for _, a := range st.About {
			about = append(about, a.Key)
		}
		summary := ""
		if st.Summary != nil {
			summary = *st.Summary
		}
		want := []string{spanText(t, st.When), strings.Join(stances, ","), strings.Join(about, ","), summary}
		if !slices.Equal(got[:4], want) {
			t.Errorf("statement %s: the card shows (span, stances, about, summary) %q; the API's %q", st.Key, got[:4], want)
		}
		for _, c := range st.CoSpeakers {
			if !strings.Contains(got[4], c.Name) {
				t.Errorf("statement %s: the card's who line %q leaves out the co-speaker %s", st.Key, got[4], c.Name)
			}
		}
	}
	var parts [][]string
	for _, p := range ev.Participants {
		as := ""
		if p.As != nil {
			as = *p.As
		}
		parts = append(parts, []string{p.Actor.Key, as})
	}
	if fmt.Sprint(page.Participants) != fmt.Sprint(parts) {
		t.Errorf("the participants: %v; the API's: %v", page.Participants, parts)
	}
	var codes []string
	for _, c := range ev.Codes {
		codes = append(codes, c.Scheme+":"+c.Code)
	}
	if !slices.Equal(page.Codes, codes) {
		t.Errorf("the codes: %v; the API's: %v", page.Codes, codes)
	}
}
