package sqlite

import (
	"bytes"
	"context"
	"path/filepath"
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
