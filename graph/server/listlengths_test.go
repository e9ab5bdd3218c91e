package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db/fixture"
)

// relationshipsOfHub is a fixture in which actor "hub" has n relationships.
func relationshipsOfHub(n int) string {
	var b strings.Builder
	b.WriteString(`{"version": 1, "actors": [{"key": "hub", "name": "Hub", "kind": "STATE"}`)
	for i := range n {
		fmt.Fprintf(&b, `, {"key": "o%d", "name": "O%d", "kind": "PERSON"}`, i, i)
	}
	b.WriteString(`], "relationships": [`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"kind": "MEMBER_OF", "subject": "o%d", "object": "hub"}`, i)
	}
	b.WriteString("]}")
	return b.String()
}

// TestListsPricedByTheData checks that a plain list is priced by the
// longest one the store holds, measured again once the figures are old.
func TestListsPricedByTheData(t *testing.T) {
	store := mustOpenStore(t)
	apply := func(doc string) {
		t.Helper()
		set, err := fixture.Decode([]fixture.File{{Name: "more.json", Data: []byte(doc)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Apply(context.Background(), &set.Batch, set.Refs); err != nil {
			t.Fatal(err)
		}
	}
	apply(relationshipsOfHub(40))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	lists := newListLengths(store, logger)
	var mu sync.Mutex
	now := time.Now()
	lists.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ts := httptest.NewServer(newHandler(NewSchema(store, nil, lists.lists), store, logger, Options{MaxComplexity: 100}, lists))
	defer ts.Close()

	q := query(`{ actors(first: 100) { nodes { relationships { kind } } } }`, nil)
	// 1 + 100 × (nodes 1 + relationships (1 + 40 × (1 + 0))).
	refusedWith(t, ts.URL, q, "QUERY_TOO_COMPLEX", "operation has complexity 4201, which exceeds the limit of 100")

	apply(relationshipsOfHub(60))
	// Not measured again yet: the figures are fresh.
	refusedWith(t, ts.URL, q, "QUERY_TOO_COMPLEX", "operation has complexity 4201,")
	mu.Lock()
	now = now.Add(listLengthsEvery)
	mu.Unlock()
	// The next operation has them measured in the background.
	send(t, "POST", ts.URL+"/graphql", query(`{ __typename }`, nil))
	for i := 0; lists.lengths().ActorRelationships != 60; i++ {
		if i == 500 {
			t.Fatalf("lengths %+v, want 60 relationships", lists.lengths())
		}
		time.Sleep(10 * time.Millisecond)
	}
	refusedWith(t, ts.URL, q, "QUERY_TOO_COMPLEX", "operation has complexity 6201, which exceeds the limit of 100")
}
