package postgres

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/geotimeline/geotimeline/db/postgres/pgtest"
)

// BenchmarkBulkLoad loads a generated graph (db/synth, with codes,
// estimates and intervals added: bulkSynthSet) into a new database, once a
// round, through the normal path and through the bulk path, ApplyRun as
// `geotimeline seed` would. Only the load is timed. GEOTIMELINE_BENCH_EVENTS
// sets the number of events (10 000 unless set):
//
//	GEOTIMELINE_BENCH_EVENTS=100000 go test -run '^$' -bench BulkLoad -count 3 ./db/postgres
func BenchmarkBulkLoad(b *testing.B) {
	events := 10000
	if v := os.Getenv("GEOTIMELINE_BENCH_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("GEOTIMELINE_BENCH_EVENTS=%q: want a number of events", v)
		}
		events = n
	}
	set := bulkSynthSet(b, events, 3)
	records := len(set.Batch.Sources) + len(set.Batch.Actors) + len(set.Batch.Relationships) +
		len(set.Batch.Events) + len(set.Batch.Statements)
	ctx := context.Background()
	for _, path := range []struct {
		name   string
		noBulk bool
	}{{"normal", true}, {"bulk", false}} {
		b.Run(path.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s, err := Open(ctx, pgtest.URL(b), Options{})
				if err != nil {
					b.Fatal(err)
				}
				s.noBulk = path.noBulk
				b.StartTimer()
				if _, err := s.ApplyRun(ctx, nil, &set.Batch, set.Refs); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if s.lastBulk.Load() == path.noBulk {
					b.Fatalf("noBulk %v, yet lastBulk %v", path.noBulk, s.lastBulk.Load())
				}
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(records)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
