package sqlite

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/synth"
)

// BenchmarkCascadeHub deletes, with cascade, the actor that takes part in
// the most events of a generated graph (synth seed 1): the hardening
// issue's case, a hub of 35 292 events on a 100 000-event graph. Each
// iteration works on a fresh copy of the seeded database; only the delete
// is timed. The graph is small by default so that the benchmark is quick:
//
//	GEOTIMELINE_BENCH_EVENTS=100000 go test -run '^$' -bench CascadeHub -benchtime 3x ./db/sqlite
//	GEOTIMELINE_BENCH_DB=/tmp/100k.db …   # reuse a seeded database (created when missing)
func BenchmarkCascadeHub(b *testing.B) {
	ctx := context.Background()
	events := 20000
	if n, err := strconv.Atoi(os.Getenv("GEOTIMELINE_BENCH_EVENTS")); err == nil && n > 0 {
		events = n
	}
	dir := b.TempDir()
	base := os.Getenv("GEOTIMELINE_BENCH_DB")
	if base == "" {
		base = filepath.Join(dir, "base.db")
	}
	if _, err := os.Stat(base); os.IsNotExist(err) {
		seedSynth(b, base, events)
	}
	hub, referrers := hubActor(b, base)
	b.ReportMetric(float64(referrers), "events")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(dir, "copy.db")
		copyFile(b, base, path)
		s, err := Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		s.MaxCascade = 1 << 30
		b.StartTimer()
		if _, err := s.Delete(ctx, db.RefActor, hub, true); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		os.Remove(path)
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*referrers), "µs/event")
}

// seedSynth writes a database of a generated graph of n events at path.
func seedSynth(tb testing.TB, path string, n int) {
	tb.Helper()
	ctx := context.Background()
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Events: n, Seed: 1}); err != nil {
		tb.Fatal(err)
	}
	set, err := fixture.Decode([]fixture.File{{Name: "synth.json", Data: buf.Bytes()}})
	if err != nil {
		tb.Fatal(err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Apply(ctx, &set.Batch, set.Refs); err != nil {
		tb.Fatal(err)
	}
}

// hubActor is the key of the actor in the most events of the database at
// path, and the number of those events.
func hubActor(tb testing.TB, path string) (string, int) {
	tb.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	var key string
	var n int
	if err := s.write.QueryRow(`SELECT a.key, count(*) AS n FROM event_participants p JOIN actors a ON a.id = p.actor_id
		GROUP BY p.actor_id ORDER BY n DESC, a.key LIMIT 1`).Scan(&key, &n); err != nil {
		tb.Fatal(err)
	}
	return key, n
}

// copyFile copies a closed database (its WAL checkpointed away) to dst.
func copyFile(tb testing.TB, src, dst string) {
	tb.Helper()
	in, err := os.Open(src)
	if err != nil {
		tb.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
}
