package export

import (
	"context"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// TimelineReader is what Walk reads: the timeline page by page, inside one
// snapshot so that a write committing meanwhile cannot tear the export, and
// the full records of each page.
type TimelineReader interface {
	Snapshot(ctx context.Context) (context.Context, func())
	Timeline(ctx context.Context, f db.TimelineFilter, order db.SortOrder, p db.Page) (db.ItemPage, error)
	FullEvents(ctx context.Context, ids []int64) ([]*db.Event, error)
	FullStatements(ctx context.Context, ids []int64) ([]*db.Statement, error)
}

// Reader is what Write reads: the timeline, the filter check, and for the
// graph formats the actors, relationships and countries the edges name.
type Reader interface {
	TimelineReader
	MatchTimeline(ctx context.Context, f db.TimelineFilter, items []db.ItemID) (map[db.ItemID]bool, error)
	EventsByKey(ctx context.Context, keys []string) ([]*db.Event, error)
	ActorsByKey(ctx context.Context, keys []string) ([]*db.Actor, error)
	RelationshipsOf(ctx context.Context, actorIDs []int64, kinds []db.RelationshipKind, at *time.Time) (map[int64][]*db.Relationship, error)
	CountriesByCode(ctx context.Context, codes []string) ([]*db.Country, error)
}
