package postgres

import (
	"context"
	"slices"
	"testing"
)

// New records are numbered in the order of their batch, as SQLite numbers
// them, though they are written in key order: the traversals break ties
// by row id, so both stores answer alike only when they number alike.
func TestNewRecordsNumberedInBatchOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openClocked(t)
	load(t, s, `{"version": 1,
	  "actors": [{"key": "zeta", "name": "Zeta", "kind": "OTHER"}, {"key": "alpha", "name": "Alpha", "kind": "OTHER"},
	    {"key": "mu", "name": "Mu", "kind": "OTHER"}],
	  "events": [{"key": "e3", "type": "OTHER", "title": "E3", "occurredAt": "2025-05-07"},
	    {"key": "e1", "type": "OTHER", "title": "E1", "occurredAt": "2025-05-08"}]}`)
	ids := func(keys ...string) []int64 {
		t.Helper()
		as, err := s.ActorsByKey(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]int64{}
		for _, a := range as {
			byKey[a.Key] = a.ID
		}
		out := make([]int64, len(keys))
		for i, k := range keys {
			out[i] = byKey[k]
		}
		return out
	}
	// A new database numbers from 1, as SQLite's does.
	if got, want := ids("zeta", "alpha", "mu"), []int64{1, 2, 3}; !slices.Equal(got, want) {
		t.Errorf("actor ids = %v, want %v", got, want)
	}
	es, err := s.EventsByKey(ctx, []string{"e3", "e1"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, e := range es {
		got[e.Key] = e.ID
	}
	if got["e3"] != 1 || got["e1"] != 2 {
		t.Errorf("event ids = %v, want e3 1, e1 2", got)
	}

	// Reloaded with new actors among the stored ones: the stored keep
	// their ids, the new follow them in the batch's order.
	load(t, s, `{"version": 1,
	  "actors": [{"key": "omega", "name": "Omega", "kind": "OTHER"}, {"key": "alpha", "name": "Alpha", "kind": "OTHER"},
	    {"key": "beta", "name": "Beta", "kind": "OTHER"}]}`)
	next := ids("zeta", "alpha", "mu", "omega", "beta")
	if !slices.Equal(next[:3], []int64{1, 2, 3}) || !(3 < next[3] && next[3] < next[4]) {
		t.Errorf("actor ids after a reload = %v, want 1 2 3 then two ascending", next)
	}
}
