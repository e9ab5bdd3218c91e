// Package bench holds the performance benchmarks of geotimeline: the
// queries of the performance issue, end to end (GraphQL over HTTP on
// 127.0.0.1 against the real server) on a generated graph, and the floors
// they are compared with (the same SQL run directly and encoded with
// encoding/json, no GraphQL).
//
// The graph is small by default so that `go test ./...` stays quick:
//
//	GEOTIMELINE_BENCH_EVENTS=100000 go test -run '^$' -bench . -benchtime 200x ./graph/bench
//	GEOTIMELINE_BENCH_DB=/tmp/1m.db go test -run '^$' -bench . ./graph/bench   # reuse a seeded database
//
// A database named by GEOTIMELINE_BENCH_DB is created (generated with seed
// 1 and GEOTIMELINE_BENCH_EVENTS events) when missing and reused otherwise.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/db/synth"
	"github.com/geotimeline/geotimeline/graph/server"
)

const defaultEvents = 2000

func benchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("GEOTIMELINE_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return defaultEvents
}

// env is the graph and the server the benchmarks share.
type env struct {
	store *sqlite.Store
	url   string
	// Parameters discovered from the data.
	busy, quiet, near, far, isolated string // actor keys
	busyID, quietID, nearID, farID   string // global IDs
	isolatedID                       string
	country, word, deepCursor        string
	rare                             string // a word in few events
}

var (
	shared    *env
	sharedErr error
	once      sync.Once
)

// generate writes a synthetic fixture of n events to a temporary file.
func generate(n int, dir string) (string, error) {
	path := filepath.Join(dir, "graph.json")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if err := synth.Write(f, synth.Options{Events: n, Seed: 1}); err != nil {
		return "", err
	}
	return path, f.Close()
}

func setup(tb testing.TB) *env {
	tb.Helper()
	once.Do(func() { shared, sharedErr = newEnv() })
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return shared
}

func newEnv() (*env, error) {
	ctx := context.Background()
	path := os.Getenv("GEOTIMELINE_BENCH_DB")
	dir, err := os.MkdirTemp("", "geotimeline-bench")
	if err != nil {
		return nil, err
	}
	if path == "" {
		path = filepath.Join(dir, "bench.db")
	}
	_, statErr := os.Stat(path)
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if os.IsNotExist(statErr) {
		fx, err := generate(benchEvents(), dir)
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(fx)
		if err != nil {
			return nil, err
		}
		if _, _, err := seed.Load(ctx, store, []fixture.File{{Name: fx, Data: data}}); err != nil {
			return nil, err
		}
	}
	// An actor in no event: the far end of a path that does not exist.
	// Loading it again into a reused database changes nothing.
	if _, _, err := seed.Load(ctx, store, []fixture.File{{Name: "isolated.json",
		Data: []byte(`{"version": 1, "actors": [{"key": "zz-isolated", "name": "Isolated", "kind": "OTHER"}]}`)}}); err != nil {
		return nil, err
	}
	// A generous timeout: the benchmarks measure slow queries, not refuse them.
	srv := httptest.NewServer(server.New(store, slog.New(slog.NewTextHandler(io.Discard, nil)),
		server.Options{RequestTimeout: 5 * time.Minute}))
	e := &env{store: store, url: srv.URL + "/graphql", isolated: "zz-isolated"}
	return e, e.discover()
}

// discover picks the parameters of the queries from the data itself.
func (e *env) discover() error {
	// Busy and quiet actors from a sample of 1 000 events: counting every
	// actor's events would itself be a heavy query on a large graph.
	var sample struct {
		Timeline struct {
			Nodes []struct {
				Participants []struct{ Actor struct{ Key, ID string } }
			}
		}
	}
	seen := map[string]int{}
	ids := map[string]string{}
	var after any
	for range 10 {
		var pg struct {
			Timeline struct {
				Nodes []struct {
					Participants []struct{ Actor struct{ Key, ID string } }
				}
				PageInfo struct{ EndCursor string }
			}
		}
		if err := e.query(`query($a: String) { timeline(first: 100, after: $a, filter: {include: [EVENT]}) {
		  nodes { ... on Event { participants { actor { key id } } } } pageInfo { endCursor } } }`, map[string]any{"a": after}, &pg); err != nil {
			return err
		}
		sample.Timeline.Nodes = append(sample.Timeline.Nodes, pg.Timeline.Nodes...)
		if pg.Timeline.PageInfo.EndCursor == "" {
			break
		}
		after = pg.Timeline.PageInfo.EndCursor
	}
	for _, n := range sample.Timeline.Nodes {
		for _, p := range n.Participants {
			seen[p.Actor.Key]++
			ids[p.Actor.Key] = p.Actor.ID
		}
	}
	if len(seen) < 2 {
		return fmt.Errorf("bench: the graph has %d active actors", len(seen))
	}
	for k, n := range seen {
		if e.busy == "" || n > seen[e.busy] || n == seen[e.busy] && k < e.busy {
			e.busy = k
		}
		if e.quiet == "" || n < seen[e.quiet] || n == seen[e.quiet] && k < e.quiet {
			e.quiet = k
		}
	}
	e.busyID, e.quietID = ids[e.busy], ids[e.quiet]
	// near shares an event with the busy actor (distance 2); far shares one
	// with near but none with busy (distance 4).
	var cp struct {
		Actor struct {
			Counterparts []struct{ Actor struct{ Key, ID string } }
		}
	}
	if err := e.query(`query($k: String!) { actor(key: $k) { counterparts(first: 100) { actor { key id } } } }`, map[string]any{"k": e.quiet}, &cp); err != nil {
		return err
	}
	if len(cp.Actor.Counterparts) == 0 {
		return fmt.Errorf("bench: quiet actor %s has no counterparts", e.quiet)
	}
	e.near, e.nearID = cp.Actor.Counterparts[0].Actor.Key, cp.Actor.Counterparts[0].Actor.ID
	mine := map[string]bool{e.quiet: true}
	for _, c := range cp.Actor.Counterparts {
		mine[c.Actor.Key] = true
	}
	var cp2 struct {
		Actor struct {
			Counterparts []struct{ Actor struct{ Key, ID string } }
		}
	}
	if err := e.query(`query($k: String!) { actor(key: $k) { counterparts(first: 100) { actor { key id } } } }`, map[string]any{"k": e.near}, &cp2); err != nil {
		return err
	}
	for i := len(cp2.Actor.Counterparts) - 1; i >= 0; i-- {
		if c := cp2.Actor.Counterparts[i].Actor; !mine[c.Key] {
			e.far, e.farID = c.Key, c.ID
			break
		}
	}
	var iso struct{ Actor struct{ ID string } }
	if err := e.query(`{ actor(key: "zz-isolated") { id } }`, nil, &iso); err != nil {
		return err
	}
	e.isolatedID = iso.Actor.ID
	var first struct {
		Events struct {
			Nodes []struct {
				Title    string
				Location *struct{ Country *struct{ Code string } }
			}
		}
	}
	if err := e.query(`{ events(first: 20) { nodes { title location { country { code } } } } }`, nil, &first); err != nil {
		return err
	}
	for _, n := range first.Events.Nodes {
		if e.country == "" && n.Location != nil && n.Location.Country != nil {
			e.country = n.Location.Country.Code
		}
		if e.word == "" {
			for _, w := range bytes.Fields([]byte(n.Title)) {
				if len(w) >= 5 {
					e.word = string(w)
					break
				}
			}
		}
	}
	if err := e.discoverRare(); err != nil {
		return err
	}
	// A cursor far into the timeline: the start of its last page of 50.
	var deep struct {
		Timeline struct{ PageInfo struct{ StartCursor string } }
	}
	if err := e.query(`{ timeline(last: 50) { pageInfo { startCursor } } }`, nil, &deep); err != nil {
		return err
	}
	e.deepCursor = deep.Timeline.PageInfo.StartCursor
	return nil
}

// discoverRare picks, of the words in the titles of the first events and
// in the quiet actor's name, the one in the fewest events (and in one at
// least): names are made-up words, so most are rare, but a country's name
// is not.
func (e *env) discoverRare() error {
	var found struct {
		Actor  struct{ Name string }
		Events struct{ Nodes []struct{ Title string } }
	}
	if err := e.query(`query($k: String!) { actor(key: $k) { name } events(first: 20) { nodes { title } } }`,
		map[string]any{"k": e.quiet}, &found); err != nil {
		return err
	}
	words := bytes.Fields([]byte(found.Actor.Name))
	for _, n := range found.Events.Nodes {
		words = append(words, bytes.Fields([]byte(n.Title))...)
	}
	fewest := 0
	for _, w := range words {
		if len(w) < 4 {
			continue
		}
		var counts struct{ EventCounts []struct{ Count int } }
		if err := e.query(`query($t: String!) { eventCounts(filter: {text: $t}, interval: YEAR) { count } }`,
			map[string]any{"t": string(w)}, &counts); err != nil {
			return err
		}
		n := 0
		for _, c := range counts.EventCounts {
			n += c.Count
		}
		if n > 0 && (fewest == 0 || n < fewest) {
			e.rare, fewest = string(w), n
		}
	}
	if e.rare == "" {
		return fmt.Errorf("bench: no word of %q or of the first titles is in an event", found.Actor.Name)
	}
	return nil
}

// query runs one GraphQL request and decodes its data into out.
func (e *env) query(q string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	resp, err := http.Post(e.url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("%s: %s", q, r.Errors[0].Message)
	}
	if out != nil {
		return json.Unmarshal(r.Data, out)
	}
	return nil
}

// run benchmarks one GraphQL request.
func run(b *testing.B, q string, vars func(e *env) map[string]any) {
	e := setup(b)
	v := vars(e)
	if err := e.query(q, v, nil); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := e.query(q, v, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func none(*env) map[string]any { return nil }

const page = `nodes { __typename ... on Event { key title occurredAt } ... on Statement { key madeAt } }`

func BenchmarkTimelineFirstPage(b *testing.B) {
	run(b, `{ timeline(first: 50) { `+page+` } }`, none)
}

func BenchmarkTimelineDeepPage(b *testing.B) {
	run(b, `query($c: String) { timeline(first: 50, after: $c) { `+page+` } }`,
		func(e *env) map[string]any { return map[string]any{"c": e.deepCursor} })
}

func BenchmarkTimelineByActor(b *testing.B) {
	run(b, `query($a: String!) { timeline(first: 50, filter: {actors: [$a]}) { `+page+` } }`,
		func(e *env) map[string]any { return map[string]any{"a": e.busy} })
}

func BenchmarkTimelineByCountry(b *testing.B) {
	run(b, `query($c: String!) { timeline(first: 50, filter: {countries: [$c]}) { `+page+` } }`,
		func(e *env) map[string]any { return map[string]any{"c": e.country} })
}

func BenchmarkTimelineByType(b *testing.B) {
	run(b, `{ timeline(first: 50, filter: {eventTypes: [ATTACK], include: [EVENT]}) { `+page+` } }`, none)
}

func BenchmarkTimelineByTimeRange(b *testing.B) {
	run(b, `{ timeline(first: 50, filter: {from: "2019-06", to: "2019-07"}) { `+page+` } }`, none)
}

// What may have been under way in a month: every item whose span meets
// it, read from the month minus the longest span stored (the generated
// graph's year-precise items make that a year).
func BenchmarkTimelineOverlaps(b *testing.B) {
	run(b, `{ timeline(first: 50, filter: {from: "2019-06", to: "2019-07", timeMatch: OVERLAPS}) { `+page+` } }`, none)
}

func BenchmarkTimelineByText(b *testing.B) {
	run(b, `query($t: String!) { timeline(first: 50, filter: {text: $t}) { `+page+` } }`,
		func(e *env) map[string]any { return map[string]any{"t": e.word} })
}

func BenchmarkTimelineByRareText(b *testing.B) {
	run(b, `query($t: String!) { timeline(first: 50, filter: {text: $t}) { `+page+` } }`,
		func(e *env) map[string]any { return map[string]any{"t": e.rare} })
}

// A word of a title template ("… sets out position on …"): in about one
// event in ten.
func BenchmarkTimelineByCommonText(b *testing.B) {
	run(b, `{ timeline(first: 50, filter: {text: "position"}) { `+page+` } }`, none)
}

// nested is the nested page of the performance issue: 50 items with
// participants → actor → country, and statements → speaker.
const nested = `{ timeline(first: 50, filter: {include: [EVENT]}) { nodes { ... on Event {
  key title occurredAt participants { role actor { key name country { code name } } } statements { key speaker { name } } } } } }`

func BenchmarkNestedPage(b *testing.B) {
	run(b, nested, none)
}

func BenchmarkNeighborhoodBusy(b *testing.B) {
	run(b, `query($id: ID!) { neighborhood(id: $id, depth: 2, limit: 200) { truncated nodes { id } edges { kind } } }`,
		func(e *env) map[string]any { return map[string]any{"id": e.busyID} })
}

func BenchmarkNeighborhoodQuiet(b *testing.B) {
	run(b, `query($id: ID!) { neighborhood(id: $id, depth: 2, limit: 200) { truncated nodes { id } edges { kind } } }`,
		func(e *env) map[string]any { return map[string]any{"id": e.quietID} })
}

// Paths follow participation only: through events, a counterpart is at
// distance 2 and a counterpart's counterpart that is not one at 4.
const path = `query($a: ID!, $b: ID!) { shortestPath(from: $a, to: $b, maxDepth: 6, filter: {edgeKinds: [PARTICIPATION]}) { length nodes { id } } }`

func BenchmarkShortestPath2(b *testing.B) {
	run(b, path, func(e *env) map[string]any { return map[string]any{"a": e.quietID, "b": e.nearID} })
}

func BenchmarkShortestPath4(b *testing.B) {
	run(b, path, func(e *env) map[string]any {
		if e.farID == "" {
			b.Skip("no actor at distance 4 from the quiet actor in this graph")
		}
		return map[string]any{"a": e.quietID, "b": e.farID}
	})
}

func BenchmarkShortestPathNone(b *testing.B) {
	run(b, path, func(e *env) map[string]any { return map[string]any{"a": e.busyID, "b": e.isolatedID} })
}

func BenchmarkEventCountsMonth(b *testing.B) {
	run(b, `{ eventCounts(interval: MONTH) { start count fatalities } }`, none)
}

func BenchmarkEventCountsMonthByType(b *testing.B) {
	run(b, `{ eventCounts(interval: MONTH, groupBy: TYPE) { start key count fatalities } }`, none)
}

// By country, months of one year: ten years would be more buckets than
// eventCounts returns.
func BenchmarkEventCountsMonthByCountry(b *testing.B) {
	run(b, `{ eventCounts(interval: MONTH, groupBy: COUNTRY, filter: {from: "2019-01-01", to: "2020-01-01"}) { start key count fatalities } }`, none)
}

// The real-data fields of a bucket, from the kept counts.
func BenchmarkEventCountsMonthRanges(b *testing.B) {
	run(b, `{ eventCounts(interval: MONTH) { start count certain fatalities fatalitiesLow fatalitiesHigh intensity } }`, none)
}

// Months of one year, each event in every month its span meets: read from
// the events.
func BenchmarkEventCountsMonthOverlaps(b *testing.B) {
	run(b, `{ eventCounts(interval: MONTH, timeMatch: OVERLAPS, filter: {from: "2019-01-01", to: "2020-01-01"}) { start count certain fatalitiesLow fatalitiesHigh } }`, none)
}

// BenchmarkSeed loads a generated fixture of GEOTIMELINE_BENCH_EVENTS
// events (at most 20 000, to stay quick) into a new database per iteration
// and reports events/s.
func BenchmarkSeed(b *testing.B) {
	n := min(benchEvents(), 20000)
	dir := b.TempDir()
	fx, err := generate(n, dir)
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(fx)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		store, err := sqlite.Open(ctx, filepath.Join(dir, fmt.Sprintf("seed%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, _, err := seed.Load(ctx, store, []fixture.File{{Name: fx, Data: data}}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		store.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}

// The dashboard's first load at 1M: the map's shading (every country, by
// year, summed per country by the page) ...
func BenchmarkDashboardMapCountries(b *testing.B) {
	run(b, `{ eventCounts(interval: YEAR, groupBy: COUNTRY) { key count } }`, none)
}

// ... shaded by participants' countries (the map's switch) ...
func BenchmarkDashboardMapParticipantCountries(b *testing.B) {
	run(b, `{ eventCounts(interval: YEAR, groupBy: PARTICIPANT_COUNTRY) { key count } }`, none)
}

// ... and either, with the Dated control at "overlapping" over ten years.
func BenchmarkDashboardMapOverlapping(b *testing.B) {
	run(b, `query($f: EventFilter) {
  located: eventCounts(filter: $f, interval: YEAR, groupBy: COUNTRY) { key count }
  participants: eventCounts(filter: $f, interval: YEAR, groupBy: PARTICIPANT_COUNTRY) { key count }
}`, func(*env) map[string]any {
		return map[string]any{"f": map[string]any{"from": "2015-01-01", "to": "2025-01-01", "timeMatch": "OVERLAPS"}}
	})
}

// ... and the histogram over the whole extent, by month, with the Dated
// control at "starting in" ...
func BenchmarkDashboardHistogram(b *testing.B) { histogram(b, "START") }

// ... and at "overlapping", whose totals count by start the events the
// filter selects by span.
func BenchmarkDashboardHistogramOverlapping(b *testing.B) { histogram(b, "OVERLAPS") }

// ... and the timeline's first page with its total over ten years,
// dated starting in the range and overlapping it.
func BenchmarkDashboardTimelineRange(b *testing.B) { timelineRange(b, "START") }

func BenchmarkDashboardTimelineRangeOverlapping(b *testing.B) { timelineRange(b, "OVERLAPS") }

func timelineRange(b *testing.B, match string) {
	run(b, `query($f: TimelineFilter) { timeline(filter: $f, first: 50) { totalCount `+page+` } }`, func(*env) map[string]any {
		return map[string]any{"f": map[string]any{"from": "2015-01-01", "to": "2025-01-01", "timeMatch": match}}
	})
}

func histogram(b *testing.B, match string) {
	run(b, `query($f: EventFilter) {
  spread: eventCounts(filter: $f, interval: MONTH, timeMatch: OVERLAPS) { start count certain fatalities fatalitiesLow fatalitiesHigh }
  starts: eventCounts(filter: $f, interval: MONTH, timeMatch: START) { count fatalities fatalitiesLow fatalitiesHigh }
}`, func(*env) map[string]any {
		return map[string]any{"f": map[string]any{"from": "2015-01-01", "to": "2025-01-01", "timeMatch": match}}
	})
}
