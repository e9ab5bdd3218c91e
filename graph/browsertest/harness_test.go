package browsertest

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/graph/live"
	"github.com/geotimeline/geotimeline/graph/server"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "rewrite screenshots/*.png, the images the README shows")

// readmeScreenshots are the screenshots the README shows, kept in
// screenshots/; the others live only as test artefacts.
var readmeScreenshots = []string{"playground", "dashboard", "histogram-uncertainty", "dashboard-real-data", "network-200", "map-participants", "event-page"}

// writeToken is the token the test server accepts for writes.
const writeToken = "browser-test-token-0123456789"

// chromium finds the browser, or skips (fails when it is required).
func chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("GEOTIMELINE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found: install Debian's chromium (apt-get install chromium) or set GEOTIMELINE_CHROMIUM"
	if os.Getenv("GEOTIMELINE_BROWSER_TESTS") == "require" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// site is a running server with the demo data and a browser tab on it.
type site struct {
	t     *testing.T
	base  string
	store *sqlite.Store
	hub   *live.Hub
	ctx   context.Context // the tab's

	mu       sync.Mutex
	requests []string // every URL the page asked for
	problems []string // exceptions and console errors
	allowed  []string // problems a test expects, by substring
}

// open starts the server and a headless browser with one tab. Each test
// gets its own of both.
func open(t *testing.T) *site {
	t.Helper()
	return openServer(t, false)
}

// openServer is open for a private server (reads need the token) or not.
func openServer(t *testing.T, private bool) *site {
	t.Helper()
	return openWith(t, private, nil)
}

// openWith is openServer with test-only routes (pattern → handler) served
// beside the server's own on its origin: pages that load third-party tools
// are then held to checkClean's rule like the server's pages are.
func openWith(t *testing.T, private bool, routes map[string]http.Handler) *site {
	t.Helper()
	bin := chromium(t)
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "browser.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, _, err := seed.Load(ctx, store, []fixture.File{{Name: "demo.json", Data: demo.JSON}}); err != nil {
		t.Fatal(err)
	}
	return openStore(t, bin, store, private, routes)
}

// openStore is openWith on a store the caller filled.
func openStore(t *testing.T, bin string, store *sqlite.Store, private bool, routes map[string]http.Handler) *site {
	t.Helper()
	base, hub := serve(t, store, private, routes)
	tabCtx := newTab(t, bin)
	// Bounds every step of a test: a page that never gets ready fails it
	// instead of hanging.
	tabCtx, cancelTimeout := context.WithTimeout(tabCtx, 90*time.Second)
	t.Cleanup(cancelTimeout)

	s := &site{t: t, base: base, store: store, hub: hub, ctx: tabCtx}
	chromedp.ListenTarget(tabCtx, s.listen)
	if err := chromedp.Run(tabCtx, network.Enable(), log.Enable(), runtime.Enable()); err != nil {
		t.Fatalf("watch the tab: %v", err)
	}
	t.Cleanup(s.checkClean)
	return s
}

// serve starts the API and pages on 127.0.0.1 over store, with a running
// live hub and any extra routes, and returns the base URL and the hub.
func serve(tb testing.TB, store *sqlite.Store, private bool, routes map[string]http.Handler) (string, *live.Hub) {
	tb.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	hub := live.New(store, logger, live.Options{})
	hubCtx, stopHub := context.WithCancel(context.Background())
	hubDone := make(chan struct{})
	go func() { defer close(hubDone); hub.Run(hubCtx) }()
	var h http.Handler = server.New(store, logger, server.Options{
		Tokens: []server.Token{server.NewToken("browser", writeToken)}, Live: hub, Private: private})
	if len(routes) > 0 {
		mux := http.NewServeMux()
		mux.Handle("/", h)
		for pattern, route := range routes {
			mux.Handle(pattern, route)
		}
		h = mux
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(func() { stopHub(); <-hubDone; srv.Close() })
	return srv.URL, hub
}

// newTab starts a headless Chromium with a fresh profile and returns the
// context of its one tab, 1440×900.
func newTab(tb testing.TB, bin string) context.Context {
	tb.Helper()
	// The flags keep Chromium off the network: background services would
	// otherwise try to reach Google, which this machine refuses.
	// Not tb.TempDir: Chromium's helper processes can still be writing to
	// the profile for a moment after the browser is stopped, and
	// TempDir's cleanup fails the test on "directory not empty". Removed
	// after the browser (cleanups run last registered first), retried for
	// up to a few seconds.
	profile, err := os.MkdirTemp("", "geotimeline-chromium-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		for i := 0; os.RemoveAll(profile) != nil && i < 100; i++ {
			time.Sleep(50 * time.Millisecond)
		}
	})
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1440, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	tb.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Run(tabCtx, chromedp.EmulateViewport(1440, 900)); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	return tabCtx
}

func (s *site) listen(ev any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		s.requests = append(s.requests, ev.Request.URL)
	case *runtime.EventExceptionThrown:
		s.problems = append(s.problems, "exception: "+ev.ExceptionDetails.Error())
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.APITypeError {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value))
			}
			s.problems = append(s.problems, "console.error: "+strings.Join(parts, " "))
		}
	case *log.EventEntryAdded:
		// CSP violations and failed loads are reported here.
		if ev.Entry.Level == log.LevelError {
			s.problems = append(s.problems, fmt.Sprintf("%s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

// checkClean fails the test when the page asked for anything outside the
// test server (a CDN, a tile server, a font) or reported an error: the
// pages must work on a network with no internet.
func (s *site) checkClean() {
	s.mu.Lock()
	defer s.mu.Unlock()
	wsBase := "ws" + strings.TrimPrefix(s.base, "http")
	for _, u := range s.requests {
		if !strings.HasPrefix(u, s.base+"/") && !strings.HasPrefix(u, wsBase+"/") &&
			!strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:") {
			s.t.Errorf("the page requested %s, outside the server", u)
		}
	}
problems:
	for _, p := range s.problems {
		for _, a := range s.allowed {
			if strings.Contains(p, a) {
				continue problems
			}
		}
		s.t.Errorf("browser reported %s", p)
	}
}

// allow makes checkClean accept browser errors containing substr: a test
// that provokes a refusal expects the browser to log it.
func (s *site) allow(substr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.allowed = append(s.allowed, substr)
}

// run runs chromedp actions on the tab, failing the test on error.
func (s *site) run(what string, actions ...chromedp.Action) {
	s.t.Helper()
	if err := chromedp.Run(s.ctx, actions...); err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression and decodes its value into out.
func (s *site) eval(expr string, out any) {
	s.t.Helper()
	s.run("evaluate "+expr, chromedp.Evaluate(expr, out))
}

// waitJS polls a JavaScript condition until it holds (bounded by the tab's
// timeout and by tries).
// pollJS reports whether cond becomes true within d, polling as waitJS
// does, for a step that may be retried (a click the page can miss while a
// loaded machine is still settling it).
func (s *site) pollJS(cond string, d time.Duration) bool {
	s.t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		var ok bool
		if err := chromedp.Run(s.ctx, chromedp.Evaluate("Boolean("+cond+")", &ok)); err != nil {
			s.t.Fatalf("poll %s: %v", cond, err)
		}
		if ok {
			return true
		}
	}
	return false
}

func (s *site) waitJS(what, cond string) {
	s.t.Helper()
	for range 300 {
		var ok bool
		if err := chromedp.Run(s.ctx, chromedp.Evaluate("Boolean("+cond+")", &ok)); err != nil {
			s.t.Fatalf("wait for %s: %v", what, err)
		}
		if ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("timed out waiting for %s (%s)", what, cond)
}

// screenshot saves the viewport as name.png in the test's artifact
// directory and, with -update-screenshots, the README's in screenshots/.
func (s *site) screenshot(name string) {
	s.t.Helper()
	var png []byte
	s.run("screenshot", chromedp.CaptureScreenshot(&png))
	if err := os.WriteFile(filepath.Join(s.t.ArtifactDir(), name+".png"), png, 0o644); err != nil {
		s.t.Fatal(err)
	}
	if *updateScreenshots && slices.Contains(readmeScreenshots, name) {
		if err := os.WriteFile(filepath.Join("screenshots", name+".png"), png, 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
}

// graphql runs a query against the test server over HTTP with the write
// token and returns its data, failing on errors.
func (s *site) graphql(query string, vars map[string]any) json.RawMessage {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, s.base+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+writeToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors json.RawMessage `json:"errors"`
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		s.t.Fatal(err)
	}
	if len(r.Errors) > 0 {
		s.t.Fatalf("query failed: %s", r.Errors)
	}
	return r.Data
}

// sameJSON reports whether two JSON documents hold equal values.
func sameJSON(t *testing.T, a, b json.RawMessage) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return reflect.DeepEqual(x, y)
}

// waitFor polls a condition on the server side, bounded.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 300 {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
