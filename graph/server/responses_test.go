package server

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// rename writes marco-rubio under a new name through store's own write
// path, as a mutation or a seed does.
func rename(t *testing.T, store *sqlite.Store, name string) {
	t.Helper()
	set, err := fixture.Decode([]fixture.File{{Name: "rename.json", Data: []byte(
		`{"version":1,"actors":[{"key":"marco-rubio","name":"` + name + `","kind":"PERSON","country":"US"}]}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Apply(context.Background(), &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
}

// The response cache answers a repeated query without reading, and never
// with an answer older than the last commit: the server's own, or another
// process's on the same file.
func TestResponseCache(t *testing.T) {
	store := mustOpenStore(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ts := httptest.NewServer(New(store, logger, Options{ResponseCacheBytes: 1 << 20}))
	defer ts.Close()
	const q = `{"query":"query R($k: String!) { actor(key: $k) { name } }","variables":{"k":"marco-rubio"}}`
	ask := func(body, want string) int64 {
		t.Helper()
		before := store.ReadStatements()
		res := post(t, ts.URL+"/graphql", body)
		if res.status != 200 || res.body != want {
			t.Fatalf("%s: %d %s, want %s", body, res.status, res.body, want)
		}
		return store.ReadStatements() - before
	}
	rubio := `{"data":{"actor":{"name":"Marco Rubio"}}}`
	if reads := ask(q, rubio); reads == 0 {
		t.Fatal("the first query read nothing")
	}
	if reads := ask(q, rubio); reads != 0 {
		t.Errorf("the repeated query read %d statements, want 0 (from the cache)", reads)
	}
	// Other variables are another answer.
	if reads := ask(`{"query":"query R($k: String!) { actor(key: $k) { name } }","variables":{"k":"india"}}`,
		`{"data":{"actor":{"name":"India"}}}`); reads == 0 {
		t.Error("a query with other variables was answered from the cache")
	}

	// A commit through this process's store.
	rename(t, store, "Marco A. Rubio")
	if reads := ask(q, `{"data":{"actor":{"name":"Marco A. Rubio"}}}`); reads == 0 {
		t.Error("after a commit the query read nothing")
	}
	// A commit by another process, here another store on the same file.
	other, err := sqlite.Open(context.Background(), store.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	rename(t, other, "Marco Antonio Rubio")
	ask(q, `{"data":{"actor":{"name":"Marco Antonio Rubio"}}}`)
	if reads := ask(q, `{"data":{"actor":{"name":"Marco Antonio Rubio"}}}`); reads != 0 {
		t.Errorf("the repeated query read %d statements after the other commit, want 0", reads)
	}

	// An answer with errors is not kept: both are misses below.
	broken := `{"query":"{ timeline(filter: {text: \"!!\"}) { totalCount } }"}`
	for range 2 {
		if res := post(t, ts.URL+"/graphql", broken); len(errorsOf(t, res.body)) != 1 {
			t.Fatalf("broken query: %s", res.body)
		}
	}

	res := get(t, ts.URL+"/metrics")
	for series, v := range map[string]float64{
		`geotimeline_response_cache_lookups_total{outcome="hit"}`:  2,
		`geotimeline_response_cache_lookups_total{outcome="miss"}`: 6,
	} {
		if got := metricValue(t, res.body, series); got != v {
			t.Errorf("%s = %v, want %v", series, got, v)
		}
	}
}
