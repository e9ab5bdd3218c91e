// Package apitest holds the end-to-end tests of the GraphQL API: real
// requests over HTTP on 127.0.0.1 to the real server, backed by a real
// store loaded with the demo fixture, compared with exact answers.
//
// The store is a SQLite file, or, with GEOTIMELINE_TEST_BACKEND=postgresql,
// a PostgreSQL database of the test's own in the server that
// GEOTIMELINE_TEST_POSTGRES names: the same tests, the same answers, on
// both backends (.ci/run runs them twice).
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db/backend"
	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/postgres"
	"github.com/geotimeline/geotimeline/db/postgres/pgtest"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/graph/live"
	"github.com/geotimeline/geotimeline/graph/server"
)

// api is a running server and the store behind it.
type api struct {
	t     testing.TB
	url   string
	store testStore
	clock *clock
	// reopen opens another handle on the store's database, as another
	// process would have.
	reopen func(testing.TB) testStore
	hub    *live.Hub
}

// testStore is what the tests ask of the store behind the server: what
// the binary asks of any store, and the count of read statements that the
// cost tests pin.
type testStore interface {
	backend.Store
	ReadStatements() int64
}

// backendEnv chooses the tests' backend: unset or "sqlite" for SQLite,
// "postgresql" for PostgreSQL.
const backendEnv = "GEOTIMELINE_TEST_BACKEND"

// onPostgreSQL reports whether the tests run on PostgreSQL.
func onPostgreSQL(t testing.TB) bool {
	t.Helper()
	switch b := os.Getenv(backendEnv); b {
	case "", "sqlite":
		return false
	case "postgresql":
		return true
	default:
		t.Fatalf("%s=%q: want sqlite or postgresql", backendEnv, b)
		return false
	}
}

// openStore opens a new, empty store for one test's server, with now as
// its clock, and returns it with the function that opens another handle
// on the same database, as another process would. It is the one place
// the end-to-end tests name a backend: SQLite, on a file in the test's
// temporary directory, or PostgreSQL (backendEnv).
func openStore(t testing.TB, now func() time.Time) (store testStore, reopen func(testing.TB) testStore) {
	t.Helper()
	var open func() (testStore, error)
	if onPostgreSQL(t) {
		if os.Getenv(pgtest.EnvURL) == "" {
			// Asked for PostgreSQL: a skip would pass for a run on it.
			t.Fatalf("%s=postgresql needs %s (bash .ci/postgres.sh starts a server)", backendEnv, pgtest.EnvURL)
		}
		url := pgtest.URL(t)
		open = func() (testStore, error) {
			s, err := postgres.Open(context.Background(), url, postgres.Options{})
			if err != nil {
				return nil, err
			}
			s.Now = now
			return s, nil
		}
	} else {
		path := filepath.Join(t.TempDir(), "api.db")
		open = func() (testStore, error) {
			s, err := sqlite.Open(context.Background(), path)
			if err != nil {
				return nil, err
			}
			s.Now = now
			return s, nil
		}
	}
	reopen = func(tb testing.TB) testStore {
		tb.Helper()
		s, err := open()
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { s.Close() })
		return s
	}
	return reopen(t), reopen
}

// clock is a store's clock: the time now, until a test fixes it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		return time.Now()
	}
	return c.t
}

// setClock fixes the clock of the API's store at t, for the stamps and
// change times its writes record from then on.
func (a *api) setClock(t time.Time) {
	a.clock.mu.Lock()
	defer a.clock.mu.Unlock()
	a.clock.t = t
}

// newAPI starts a server on the demo data plus any extra fixtures.
func newAPI(t testing.TB, extra ...string) *api {
	t.Helper()
	return startAPI(t, append([]fixture.File{{Name: "demo.json", Data: demo.JSON}}, extraFiles(extra)...), server.Options{})
}

// newEmptyAPI starts a server on an empty database.
func newEmptyAPI(t testing.TB) *api {
	t.Helper()
	return startAPI(t, nil, server.Options{})
}

func extraFiles(extra []string) []fixture.File {
	var files []fixture.File
	for i, x := range extra {
		files = append(files, fixture.File{Name: "extra" + string(rune('0'+i)) + ".json", Data: []byte(x)})
	}
	return files
}

// newAPIWith is newAPI with server options of the test's (tokens and the
// live hub are added).
func newAPIWith(t testing.TB, opts server.Options) *api {
	t.Helper()
	return startAPI(t, []fixture.File{{Name: "demo.json", Data: demo.JSON}}, opts)
}

func startAPI(t testing.TB, files []fixture.File, opts server.Options) *api {
	t.Helper()
	ctx := context.Background()
	clk := &clock{}
	store, reopen := openStore(t, clk.now)
	if len(files) > 0 {
		set, err := fixture.Decode(files)
		if err != nil {
			t.Fatalf("decode fixtures: %v", err)
		}
		if _, err := store.ApplyRun(ctx, nil, &set.Batch, set.Refs); err != nil {
			t.Fatalf("load fixtures: %v", err)
		}
	}
	logger := slog.New(slog.NewTextHandler(debugOut, nil))
	// A short poll, so that writes by another store handle (another
	// process, in real life) arrive quickly.
	hub := live.New(store, logger, live.Options{Poll: 20 * time.Millisecond})
	hubCtx, stopHub := context.WithCancel(ctx)
	hubDone := make(chan struct{})
	go func() { defer close(hubDone); hub.Run(hubCtx) }()
	opts.Tokens = append(opts.Tokens, server.NewToken("tests", writeToken))
	opts.Live = hub
	srv := httptest.NewServer(server.New(store, logger, opts))
	t.Cleanup(func() {
		stopHub()
		<-hubDone
		srv.Close()
	})
	return &api{t: t, url: srv.URL + "/graphql", store: store, clock: clk, reopen: reopen, hub: hub}
}

// response is a GraphQL response with its parts kept raw.
type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// writeToken is the bearer token the test servers accept for writes.
const writeToken = "test-token-0123456789"

// do POSTs a query, with the write token, and decodes the response.
func (a *api) do(query string, vars map[string]any) response {
	a.t.Helper()
	return a.doToken(writeToken, query, vars)
}

// doToken is do with another token; "" sends the query anonymously.
func (a *api) doToken(token, query string, vars map[string]any) response {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		a.t.Fatalf("status %d, body %s: %v", resp.StatusCode, raw, err)
	}
	return r
}

// data runs a query that must succeed and returns its data.
func (a *api) data(query string, vars map[string]any) json.RawMessage {
	a.t.Helper()
	r := a.do(query, vars)
	if len(r.Errors) > 0 {
		a.t.Fatalf("query failed: %+v", r.Errors)
	}
	return r.Data
}

// equalJSON compares two JSON documents for equality of value.
func equalJSON(t testing.TB, got json.RawMessage, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %s", got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v\n%s", err, want)
	}
	gb, _ := json.MarshalIndent(g, "", "  ")
	wb, _ := json.MarshalIndent(w, "", "  ")
	if !bytes.Equal(gb, wb) {
		t.Errorf("got:\n%s\nwant:\n%s", gb, wb)
	}
}

// errorOf runs a query that must fail with one error and returns its
// message and code.
func (a *api) errorOf(query string, vars map[string]any) (msg, code string) {
	a.t.Helper()
	r := a.do(query, vars)
	if len(r.Errors) == 0 {
		a.t.Fatalf("query succeeded, want an error: %s", r.Data)
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return r.Errors[0].Message, c
}

// keys extracts the "key" of every object of a JSON list at data.<path...>.
func keys(t testing.TB, data json.RawMessage, path ...string) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("no %q in %s", p, data)
		}
		v = m[p]
	}
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("not a list at %v: %s", path, data)
	}
	out := make([]string, len(list))
	for i, x := range list {
		out[i], _ = x.(map[string]any)["key"].(string)
	}
	return out
}

// loadInto loads one more fixture into a running API's store.
func loadInto(t testing.TB, a *api, fixtureJSON string) {
	t.Helper()
	set, err := fixture.Decode([]fixture.File{{Name: "more.json", Data: []byte(fixtureJSON)}})
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if _, err := a.store.ApplyRun(context.Background(), nil, &set.Batch, set.Refs); err != nil {
		t.Fatalf("load: %v", err)
	}
}

// debugOut receives the server log; set it to os.Stderr to debug a test.
var debugOut io.Writer = io.Discard
