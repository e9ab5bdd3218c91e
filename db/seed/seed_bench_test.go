package seed_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/geotimeline/geotimeline/db/fixture"
	"github.com/geotimeline/geotimeline/db/seed"
	"github.com/geotimeline/geotimeline/db/sqlite"
	"github.com/geotimeline/geotimeline/db/synth"
)

// BenchmarkSeedNew seeds a fixture, read as a stream as the seed command
// reads it, into a new database each iteration. GEOTIMELINE_SEED_FIXTURE
// names the fixture (a 100 000-event one from `geotimeline generate` is
// what the README quotes); without it a generated 5 000-event graph.
func BenchmarkSeedNew(b *testing.B) {
	ctx := context.Background()
	file := benchFixture(b)
	var n int
	for b.Loop() {
		b.StopTimer()
		store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		_, sum, err := (&seed.Loader{TempDir: b.TempDir()}).Load(ctx, store, []fixture.File{file})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		n = sum.Inserted
		if err := store.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n), "records/op")
}

func benchFixture(b *testing.B) fixture.File {
	b.Helper()
	if path := os.Getenv("GEOTIMELINE_SEED_FIXTURE"); path != "" {
		if _, err := os.Stat(path); err != nil {
			b.Fatal(err)
		}
		return fixture.File{Name: filepath.Base(path), Open: openPath(path)}
	}
	var buf bytes.Buffer
	if err := synth.Write(&buf, synth.Options{Events: 5000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	return onDisk(b, "g5k.json", buf.Bytes())
}

func openPath(path string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(path) }
}
