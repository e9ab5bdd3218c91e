package server

import (
	"context"
	"time"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/db/export"
	"github.com/geotimeline/geotimeline/graph"
	"github.com/geotimeline/geotimeline/graph/loader"
)

// Store is what the server serves from: what the resolvers, the loaders
// and the export downloads read and write, and what the server itself asks
// of the database for its snapshots, cache, list-length costs, metrics and
// health.
type Store interface {
	graph.Store
	loader.BatchReader
	export.Reader

	Snapshot(ctx context.Context) (context.Context, func())
	DataVersion(ctx context.Context) (int64, error)
	ListLengths(ctx context.Context) (db.ListLengths, error)
	ObserveSQL(fn func(db.Pool, time.Duration))
	IsEmpty(ctx context.Context) (bool, error)
	Writable() error
	faultClassifier
}

// faultClassifier gives a read's error its storage code when the backend's
// own error says the storage failed (a full disk, an I/O error): writes are
// classified by the store, reads' errors pass up through many functions and
// are classified where they are shown.
type faultClassifier interface {
	Classify(err error) error
}
