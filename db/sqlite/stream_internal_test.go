package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/synth"
)

// TestApplyInChunks checks that rebuilding derived rows every few records,
// and forgetting cached ids, as a large load does, gives exactly what one
// rebuild at the end gives: the same records, the same indexes, for a first
// load and for one that changes actors' countries.
func TestApplyInChunks(t *testing.T) {
	ctx := context.Background()
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Events: 400, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	first := decodeSet(t, buf.Bytes())
	// The same fixture with every actor moved to another country.
	second := decodeSet(t, buf.Bytes())
	for i := range second.Batch.Actors {
		if second.Batch.Actors[i].Country == "IN" {
			second.Batch.Actors[i].Country = "PK"
		} else {
			second.Batch.Actors[i].Country = "IN"
		}
	}

	load := func(flush, cache int) *Store {
		t.Helper()
		s, err := Open(ctx, filepath.Join(t.TempDir(), "chunks.db"))
		if err != nil {
			t.Fatal(err)
		}
		s.flushEvery, s.maxCachedIDs = flush, cache
		t.Cleanup(func() { s.Close() })
		for _, set := range []*fixture.Set{first, second} {
			if _, err := s.Apply(ctx, &set.Batch, set.Refs); err != nil {
				t.Fatal(err)
			}
		}
		return s
	}
	chunked, whole := load(3, 2), load(1<<30, 1<<30)
	for _, q := range []string{dumpEdges, dumpText, dumpTimeline} {
		if got, want := dumpTable(t, chunked, q), dumpTable(t, whole, q); got != want {
			t.Errorf("%s:\nin chunks:\n%.2000s\nat once:\n%.2000s", q, got, want)
		}
	}
	var a, b bytes.Buffer
	if err := fixture.Encode(&a, mustExportInternal(t, chunked)); err != nil {
		t.Fatal(err)
	}
	if err := fixture.Encode(&b, mustExportInternal(t, whole)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the records differ")
	}
	checkIndexesExact(t, chunked)
}

func decodeSet(tb testing.TB, data []byte) *fixture.Set {
	tb.Helper()
	set, err := fixture.Decode([]fixture.File{{Name: "synth.json", Data: data}})
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

func mustExportInternal(tb testing.TB, s *Store) *db.Batch {
	tb.Helper()
	b, err := s.Export(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestMovedActorLogsItsItems checks that moving an actor to another
// country logs every event and statement whose country facet follows it
// (a subscription filtered by country must see them), and nothing else,
// and leaves every derived table as a rebuild makes it: only the timeline
// rows of those items depend on the move.
func TestMovedActorLogsItsItems(t *testing.T) {
	ctx := context.Background()
	s := openBulkTest(t, "moved.db", true)
	// A plain generated graph: checkIndexesExact rebuilds through the
	// migrations, which know no explicit span ends.
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Events: 600, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	set := decodeSet(t, buf.Bytes())
	if _, err := s.Apply(ctx, &set.Batch, set.Refs); err != nil {
		t.Fatal(err)
	}
	var key string
	var id int64
	if err := s.write.QueryRow(`SELECT a.key, a.id FROM actors a WHERE a.country_id IS NOT NULL
		AND EXISTS (SELECT 1 FROM event_participants p WHERE p.actor_id = a.id)
		AND EXISTS (SELECT 1 FROM statements m WHERE m.speaker_id = a.id)
		ORDER BY (SELECT count(*) FROM event_participants p WHERE p.actor_id = a.id) DESC, a.key LIMIT 1`).Scan(&key, &id); err != nil {
		t.Fatal(err)
	}
	items, err := s.write.Query(`SELECT 'event', event_id FROM event_participants WHERE actor_id = ?1
		UNION SELECT 'statement', id FROM statements WHERE speaker_id = ?1
		UNION SELECT 'statement', statement_id FROM statement_co_speakers WHERE actor_id = ?1 ORDER BY 1, 2`, id)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for items.Next() {
		var kind string
		var item int64
		if err := items.Scan(&kind, &item); err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprint(kind, " ", item))
	}
	items.Close()
	slices.Sort(want)
	seq, err := s.LastChange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found, err := s.ActorsByKey(ctx, []string{key})
	if err != nil || len(found) != 1 {
		t.Fatalf("actor %s: %v", key, err)
	}
	moved := *found[0]
	moved.Country = map[bool]string{true: "IN", false: "PK"}[moved.Country != "IN"]
	if _, err := s.Apply(ctx, &db.Batch{Actors: []db.Actor{moved}}, nil); err != nil {
		t.Fatal(err)
	}
	changes, err := s.ChangesAfter(ctx, seq, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, fmt.Sprint(map[db.ItemKind]string{db.ItemEvent: "event", db.ItemStatement: "statement"}[c.Item.Kind], " ", c.Item.ID))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) || len(want) < 2 {
		t.Errorf("moving %s to %s logged %d items, want its %d events and statements:\n%v\nwant\n%v", key, moved.Country, len(got), len(want), got, want)
	}
	checkIndexesExact(t, s)
}
