// Package storetest is the conformance suite of the stores: the behaviour
// every backend must show through the public store API, written once and
// run by each backend's own tests with a function that opens a fresh,
// empty store of that backend, as testing/fstest is for file systems:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(tb testing.TB, opts storetest.Options) storetest.Store {
//			s := openEmpty(tb, opts.ChangeRetention) // closed by tb.Cleanup
//			s.Now = opts.Now
//			return s
//		})
//	}
//
// It imports no backend, so that any backend's tests, in-package ones
// included, can use it without an import cycle.
package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// Store is what the suite calls: the part of a backend's store that its
// tests exercise. Every backend the binary can open (db/backend.Store)
// has these methods.
type Store interface {
	ActorsByID(ctx context.Context, ids []int64) ([]*db.Actor, error)
	ActorsByKey(ctx context.Context, keys []string) ([]*db.Actor, error)
	CountriesByID(ctx context.Context, ids []int64) ([]*db.Country, error)
	CountriesByCode(ctx context.Context, codes []string) ([]*db.Country, error)
	EventsByID(ctx context.Context, ids []int64) ([]*db.Event, error)
	EventsByKey(ctx context.Context, keys []string) ([]*db.Event, error)
	StatementsByID(ctx context.Context, ids []int64) ([]*db.Statement, error)
	StatementsByKey(ctx context.Context, keys []string) ([]*db.Statement, error)
	SourcesByKey(ctx context.Context, keys []string) ([]*db.Source, error)
	RelationshipsOf(ctx context.Context, actorIDs []int64, kinds []db.RelationshipKind, at *time.Time) (map[int64][]*db.Relationship, error)
	LinkedFrom(ctx context.Context, eventIDs []int64) (map[int64][]db.Link, error)
	StatementsAbout(ctx context.Context, eventIDs []int64) (map[int64][]string, error)
	Counterparts(ctx context.Context, actorIDs []int64, from, to *time.Time, limit int) (map[int64][]db.Counterpart, error)

	Actors(ctx context.Context, f db.ActorFilter, p db.Page) (db.KeyPage, error)
	CountActors(ctx context.Context, f db.ActorFilter) (int, error)
	Countries(ctx context.Context, p db.Page) (db.KeyPage, error)
	CountCountries(ctx context.Context) (int, error)
	Timeline(ctx context.Context, f db.TimelineFilter, order db.SortOrder, p db.Page) (db.ItemPage, error)
	CountTimeline(ctx context.Context, f db.TimelineFilter) (int, error)
	MatchTimeline(ctx context.Context, f db.TimelineFilter, items []db.ItemID) (map[db.ItemID]bool, error)
	EventCounts(ctx context.Context, f db.TimelineFilter, interval db.Interval, groupBy db.CountGroup, match db.TimeMatch) ([]db.EventBucket, error)
	Search(ctx context.Context, text string, limit int) ([]db.SearchHit, error)
	ListLengths(ctx context.Context) (db.ListLengths, error)

	Neighborhood(ctx context.Context, start db.NodeRef, depth int, f db.GraphFilter, limit int) (db.Subgraph, error)
	ShortestPath(ctx context.Context, from, to db.NodeRef, maxDepth int, f db.GraphFilter) (*db.Path, error)
	ChronologicalPath(ctx context.Context, from, to db.NodeRef, maxDepth int, f db.GraphFilter) (*db.Path, error)
	EventChain(ctx context.Context, event db.NodeRef, dir db.ChainDirection, kinds []db.LinkKind, maxDepth int) (db.Subgraph, error)

	Changes(ctx context.Context, after int64, first int) ([]db.FeedChange, bool, error)
	LastChange(ctx context.Context) (int64, error)
	ChangesAfter(ctx context.Context, seq int64, limit int) ([]db.Change, error)

	ApplyRun(ctx context.Context, run *db.Run, b *db.Batch, refs []db.Ref) (db.Summary, error)
	ApplyStreamRunKeys(ctx context.Context, run *db.Run, refs []db.Ref, keys db.KeyFeed, feed func(db.Feeder) error) (db.Summary, error)
	DryRun(ctx context.Context, b *db.Batch, refs []db.Ref) (db.Summary, *db.Batch, error)
	DryRunStream(ctx context.Context, refs []db.Ref, feed func(db.Feeder) error) (db.Summary, *db.Batch, error)
	Delete(ctx context.Context, kind db.RefKind, key string, cascade bool) (db.Deletion, error)
	DeleteRelationship(ctx context.Context, id int64, cascade bool) (db.Deletion, error)

	FullEvents(ctx context.Context, ids []int64) ([]*db.Event, error)
	FullStatements(ctx context.Context, ids []int64) ([]*db.Statement, error)
	Snapshot(ctx context.Context) (context.Context, func())
	IsEmpty(ctx context.Context) (bool, error)
	Export(ctx context.Context) (*db.Batch, error)
}

// Options are how the suite wants a store opened.
type Options struct {
	// Now is the clock the store must stamp createdAt and updatedAt and
	// date its changes with: the suite moves it to know the stamps.
	Now func() time.Time
	// ChangeRetention is how long the changes feed keeps a change; zero
	// means the backend's default.
	ChangeRetention time.Duration
}

// Opener opens a new, empty store, migrated and holding only the built-in
// countries, with opts applied, and closes it when the test ends
// (tb.Cleanup). It fails the test if the store cannot be opened.
type Opener func(tb testing.TB, opts Options) Store

// The checks a backend may offer beyond Store; where it does, the suite
// asserts them too.
type (
	// integrityChecker checks the database's own consistency.
	integrityChecker interface {
		IntegrityCheck(ctx context.Context) error
	}
	// statementCounter counts the read statements the store has run,
	// so that a traversal's cost in round trips can be pinned.
	statementCounter interface {
		ReadStatements() int64
	}
)

// Run runs the whole suite against the stores open opens, each test a
// subtest of t named for the behaviour it checks.
func Run(t *testing.T, open Opener) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// tests is the suite: Open first, then in the order of its files' names
// and, within each, of its source.
var tests = []struct {
	name string
	fn   func(*testing.T, Opener)
}{
	{"Open", testOpen},
	{"Apply", testApply},
	{"CodesFilter", testCodesFilter},
	{"EstimateSourceCited", testEstimateSourceCited},
	{"CoSpeakersAreSpeakers", testCoSpeakersAreSpeakers},
	{"EstimateSourceDeleted", testEstimateSourceDeleted},
	{"EventCounts", testEventCounts},
	{"Counterparts", testCounterparts},
	{"EventCountsBucketLimit", testEventCountsBucketLimit},
	{"EventCountsSpans", testEventCountsSpans},
	{"EventCountsByParticipantCountry", testEventCountsByParticipantCountry},
	{"DeleteNotFound", testDeleteNotFound},
	{"DeleteUnreferenced", testDeleteUnreferenced},
	{"DeleteReferencedWithoutCascade", testDeleteReferencedWithoutCascade},
	{"DeleteCascadeActor", testDeleteCascadeActor},
	{"DeleteCascadeDeliverer", testDeleteCascadeDeliverer},
	{"DeleteCascadeSpeaker", testDeleteCascadeSpeaker},
	{"DeleteCascadeEvent", testDeleteCascadeEvent},
	{"DeleteCascadeSource", testDeleteCascadeSource},
	{"DeleteThenReseed", testDeleteThenReseed},
	{"ExportRoundTrip", testExportRoundTrip},
	{"ChangesFeedUpserts", testChangesFeedUpserts},
	{"ChangesFeedDeletes", testChangesFeedDeletes},
	{"ChangesFeedPages", testChangesFeedPages},
	{"ChangesFeedRetention", testChangesFeedRetention},
	{"MovedActorLogsItsItems", testMovedActorLogsItsItems},
	{"EventChain", testEventChain},
	{"ChronologicalPath", testChronologicalPath},
	{"NeighborhoodChain", testNeighborhoodChain},
	{"ShortestPathChain", testShortestPathChain},
	{"ShortestPathTieRule", testShortestPathTieRule},
	{"GraphStar", testGraphStar},
	{"GraphTwoComponents", testGraphTwoComponents},
	{"GraphEdgeKinds", testGraphEdgeKinds},
	{"GraphTimeWindow", testGraphTimeWindow},
	{"GraphIndexFollowsUpdates", testGraphIndexFollowsUpdates},
	{"GraphErrors", testGraphErrors},
	{"ShortestPathHubs", testShortestPathHubs},
	{"ListLengths", testListLengths},
	{"Actors", testActors},
	{"Countries", testCountries},
	{"RelationshipsOf", testRelationshipsOf},
	{"Search", testSearch},
	{"SearchRanking", testSearchRanking},
	{"TimelineText", testTimelineText},
	{"SearchHostileText", testSearchHostileText},
	{"Timeline", testTimeline},
	{"TimelineCursorSurvivesInserts", testTimelineCursorSurvivesInserts},
	{"TimelineLongLists", testTimelineLongLists},
	{"TimeMatch", testTimeMatch},
	{"TimeMatchAgreesWithSpans", testTimeMatchAgreesWithSpans},
	{"IntervalsRoundTrip", testIntervalsRoundTrip},
	{"StreamEqualsBatch", testStreamEqualsBatch},
	{"StreamUpdates", testStreamUpdates},
	{"FeederOrder", testFeederOrder},
	{"DryRun", testDryRun},
	{"FullRecords", testFullRecords},
	{"Snapshot", testSnapshot},
}

// testStore is a store under test with the clock the suite moves and the
// opener of its siblings.
type testStore struct {
	Store
	clock *clock
	open  Opener
}

// Apply applies b outside any run, as a seed without a run record does.
func (s *testStore) Apply(ctx context.Context, b *db.Batch, refs []db.Ref) (db.Summary, error) {
	return s.ApplyRun(ctx, nil, b, refs)
}

// IntegrityCheck is the backend's own consistency check, or nil for a
// backend that has none.
func (s *testStore) IntegrityCheck(ctx context.Context) error {
	if c, ok := s.Store.(integrityChecker); ok {
		return c.IntegrityCheck(ctx)
	}
	return nil
}

// clock is a settable time, safe for the store's goroutines to read.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
