package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/sqlite"
)

// sharedData is a file of the project's real data, ../shared/data beside
// the repository (two levels above this package): CI has them, a clone
// alone does not. Without it the test is skipped, and fails when
// GEOTIMELINE_REAL_DATA=require, as .ci/run sets it.
func sharedData(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", name)
	if _, err := os.Stat(p); err != nil {
		msg := fmt.Sprintf("the real dataset files are missing (../shared/data beside the repository; CI has them): %v", err)
		if os.Getenv("GEOTIMELINE_REAL_DATA") == "require" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// readShared is the content of sharedData(name).
func readShared(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(sharedData(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// gzipped is data compressed with gzip.
func gzipped(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// openStore opens the database at path, closed when the test ends.
func openStore(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	store, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// participants are the participants of the stored event key.
func participants(t *testing.T, store *sqlite.Store, key string) []db.Participant {
	t.Helper()
	ctx := context.Background()
	es, err := store.EventsByKey(ctx, []string{key})
	if err != nil || len(es) != 1 {
		t.Fatalf("%s: %v, %d found", key, err, len(es))
	}
	full, err := store.FullEvents(ctx, []int64{es[0].ID})
	if err != nil || len(full) != 1 {
		t.Fatalf("%s: %v", key, err)
	}
	return full[0].Participants
}
