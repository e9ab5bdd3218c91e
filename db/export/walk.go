package export

import (
	"context"
	"fmt"

	"github.com/geotimeline/geotimeline/db"
)

// PageSize is how many timeline items one read of the walk takes: enough
// that the per-page batch reads are few, few enough that memory stays flat
// whatever the size of the export.
const PageSize = 500

// Item is one timeline item with its lists filled in (participants, links,
// sources; a statement's addressees and events spoken of): an event or a
// statement, exactly one of the two.
type Item struct {
	Event     *db.Event
	Statement *db.Statement
}

// Walk calls fn for every item matching f, in timeline order (oldest first,
// or newest first with Descending), reading PageSize items at a time. All pages are read under one snapshot,
// so a write committed half-way changes nothing of the export. Filter
// mistakes come back as the store reports them (BAD_USER_INPUT with the
// nearest keys) before fn is called once.
func Walk(ctx context.Context, store TimelineReader, f db.TimelineFilter, order db.SortOrder, fn func(Item) error) error {
	ctx, end := store.Snapshot(ctx)
	defer end()
	var after *db.Position
	for {
		page, err := store.Timeline(ctx, f, order, db.Page{Limit: PageSize, After: after})
		if err != nil {
			return err
		}
		items, err := fill(ctx, store, page)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if !page.HasNextPage || len(page.Items) == 0 {
			return nil
		}
		last := page.Items[len(page.Items)-1].Pos
		after = &last
	}
}

// fill reads the records of one page and their lists, in page order.
func fill(ctx context.Context, store TimelineReader, page db.ItemPage) ([]Item, error) {
	eventIDs, statementIDs := page.IDs()
	events := map[int64]*db.Event{}
	statements := map[int64]*db.Statement{}
	if len(eventIDs) > 0 {
		es, err := store.FullEvents(ctx, eventIDs)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			events[e.ID] = e
		}
	}
	if len(statementIDs) > 0 {
		ss, err := store.FullStatements(ctx, statementIDs)
		if err != nil {
			return nil, err
		}
		for _, s := range ss {
			statements[s.ID] = s
		}
	}
	out := make([]Item, 0, len(page.Items))
	for _, ref := range page.Items {
		var it Item
		if ref.Kind == db.ItemEvent {
			it.Event = events[ref.ID]
		} else {
			it.Statement = statements[ref.ID]
		}
		if it.Event == nil && it.Statement == nil {
			// Under a snapshot the page and its records are one state;
			// a missing record is a fault, not a race.
			return nil, fmt.Errorf("export: %s %d of the timeline page was not found", ref.Kind, ref.ID)
		}
		out = append(out, it)
	}
	return out, nil
}
