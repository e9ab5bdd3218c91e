package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// BenchmarkDashboardLoad measures how long the dashboard takes from
// navigation until every view has loaded (body[data-state=ready] with items
// listed), on the database at $GEOTIMELINE_BENCH_DB (a seeded one, such as
// `geotimeline generate --events 1000000` loaded with `seed`), or on the
// demo when it is unset. It reports the GraphQL requests and bytes one load
// costs, which show that the page pages instead of loading everything.
//
// With $GEOTIMELINE_BENCH_AGAINST the address of another server on the same
// database (another build's `geotimeline serve --response-cache 0`, the
// benchmark's own server having no response cache either), each iteration
// loads the dashboard from that server and then from this build's, in the
// same tab, and it reports that server's median too and the median ratio of
// the pairs (this build's load over the other's): these machines' speed
// drifts by a third within minutes, which alternating load by load cancels
// where alternating runs did not.
//
// $GEOTIMELINE_BENCH_VIEW is a view to load instead of the default one, as
// the page's URL fragment says it ("from=2015-01-01&to=2025-01-01"): each
// load then has a query string of its own, since a navigation that changes
// only the fragment does not load the page again.
func BenchmarkDashboardLoad(b *testing.B) {
	bin := chromium(b)
	ctx := context.Background()
	path := os.Getenv("GEOTIMELINE_BENCH_DB")
	demoDB := path == ""
	if demoDB {
		path = filepath.Join(b.TempDir(), "demo.db")
	}
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	if demoDB {
		if _, _, err := seed.Load(ctx, store, []fixture.File{{Name: "demo.json", Data: demo.JSON}}); err != nil {
			b.Fatal(err)
		}
	}
	base, _ := serve(b, store, false, nil)
	against := os.Getenv("GEOTIMELINE_BENCH_AGAINST")
	tabCtx := newTab(b, bin)
	ready := `document.body.dataset.state === 'ready' && document.querySelectorAll('#timeline li.item').length > 0`
	var requests, bytes float64
	view := os.Getenv("GEOTIMELINE_BENCH_VIEW")
	loaded := 0
	load := func(base string) time.Duration {
		url := base + "/dashboard"
		if view != "" {
			loaded++
			url += "?load=" + strconv.Itoa(loaded) + "#" + view
		}
		start := time.Now()
		if err := chromedp.Run(tabCtx, chromedp.Navigate(url)); err != nil {
			b.Fatal(err)
		}
		for {
			var ok bool
			if err := chromedp.Run(tabCtx, chromedp.Evaluate("Boolean("+ready+")", &ok)); err != nil {
				b.Fatal(err)
			}
			if ok {
				break
			}
			if time.Since(start) > time.Minute {
				b.Fatal("the dashboard did not load within a minute")
			}
			time.Sleep(10 * time.Millisecond)
		}
		took := time.Since(start)
		var stats []float64
		if err := chromedp.Run(tabCtx, chromedp.Evaluate(`(() => { const rs = performance.getEntriesByType('resource')
			.filter(r => r.name.endsWith('/graphql')); return [rs.length, rs.reduce((n, r) => n + r.transferSize, 0)]; })()`, &stats)); err != nil {
			b.Fatal(err)
		}
		requests, bytes = stats[0], stats[1]
		return took
	}
	if against != "" {
		load(against) // nothing compiled or cached yet on that origin either
	}
	loads := make([]time.Duration, 0, b.N)
	var others, ratios []float64
	b.ResetTimer()
	for range b.N {
		if against != "" {
			other := load(against)
			mine := load(base)
			loads = append(loads, mine)
			others = append(others, float64(other.Microseconds())/1000)
			ratios = append(ratios, float64(mine)/float64(other))
			continue
		}
		loads = append(loads, load(base))
	}
	// The median load, beside the mean (ns/op), which the first load, with
	// nothing compiled or cached yet, pulls up.
	slices.Sort(loads)
	b.ReportMetric(float64(loads[len(loads)/2].Microseconds())/1000, "ms-median/load")
	b.ReportMetric(requests, "graphql-requests/load")
	b.ReportMetric(bytes/1024, "graphql-KiB/load")
	if against != "" {
		slices.Sort(others)
		slices.Sort(ratios)
		b.ReportMetric(others[len(others)/2], "ms-median-against/load")
		b.ReportMetric(ratios[len(ratios)/2], "ratio-median")
	}
}
