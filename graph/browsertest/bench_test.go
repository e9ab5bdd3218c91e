package browsertest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/graph/live"
	"github.com/geotimeline/geotimeline/graph/server"
)

// BenchmarkDashboardLoad measures how long the dashboard takes from
// navigation until every view has loaded (body[data-state=ready] with items
// listed), on the database at $GEOTIMELINE_BENCH_DB (a seeded one, such as
// `geotimeline generate --events 1000000` loaded with `seed`), or on the
// demo when it is unset. It reports the GraphQL requests and bytes one load
// costs, which show that the page pages instead of loading everything.
func BenchmarkDashboardLoad(b *testing.B) {
	bin := ""
	for _, p := range []string{os.Getenv("GEOTIMELINE_CHROMIUM"), "/usr/bin/chromium"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				bin = p
				break
			}
		}
	}
	if bin == "" {
		b.Skip("no Chromium: set GEOTIMELINE_CHROMIUM")
	}
	ctx := context.Background()
	path := os.Getenv("GEOTIMELINE_BENCH_DB")
	if path == "" {
		b.Skip("set GEOTIMELINE_BENCH_DB to a seeded database")
	}
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	hub := live.New(store, logger, live.Options{})
	hubCtx, stopHub := context.WithCancel(ctx)
	defer stopHub()
	go hub.Run(hubCtx)
	srv := httptest.NewServer(server.New(store, logger, server.Options{Live: hub}))
	defer srv.Close()

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(b.TempDir()), chromedp.WindowSize(1440, 900),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true))
	defer cancelAlloc()
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()
	if err := chromedp.Run(tabCtx, chromedp.EmulateViewport(1440, 900)); err != nil {
		b.Fatal(err)
	}
	ready := `document.body.dataset.state === 'ready' && document.querySelectorAll('#timeline li.item').length > 0`
	var requests, bytes float64
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := chromedp.Run(tabCtx, chromedp.Navigate(srv.URL+"/dashboard")); err != nil {
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
		var stats []float64
		if err := chromedp.Run(tabCtx, chromedp.Evaluate(`(() => { const rs = performance.getEntriesByType('resource')
			.filter(r => r.name.endsWith('/graphql')); return [rs.length, rs.reduce((n, r) => n + r.transferSize, 0)]; })()`, &stats)); err != nil {
			b.Fatal(err)
		}
		requests, bytes = stats[0], stats[1]
	}
	b.ReportMetric(requests, "graphql-requests/load")
	b.ReportMetric(bytes/1024, "graphql-KiB/load")
}
