package graph

import (
	"context"

	"github.com/geotimeline/geotimeline/db"
	"github.com/geotimeline/geotimeline/graph/cost"
	"github.com/geotimeline/geotimeline/graph/generated"
	"github.com/geotimeline/geotimeline/graph/model"
	"github.com/geotimeline/geotimeline/graph/relay"
)

// changeConnection pages the changes feed, oldest first. Unlike the other
// connections it has no last or before: a client follows the feed forwards.
func (r *Resolver) changeConnection(ctx context.Context, after *string, first *int) (*model.ChangeConnection, error) {
	n := intOr(first, cost.DefaultChangesPage)
	if n < 0 || n > cost.MaxChangesPage {
		return nil, db.Errorf(db.CodeInvalid, "first must be between 0 and %d, not %d", cost.MaxChangesPage, n)
	}
	var seq int64
	if after != nil {
		var err error
		if seq, err = relay.ParseChangeCursor("after", *after); err != nil {
			return nil, err
		}
	}
	// The head is read first: a client that reloads everything after
	// reading it sees every change made since in the feed after it.
	head, err := r.Store.LastFeedChange(ctx)
	if err != nil {
		return nil, err
	}
	changes, more, err := r.Store.Changes(ctx, seq, n)
	if err != nil {
		return nil, err
	}
	c := &model.ChangeConnection{Nodes: pointers(changes), HeadCursor: relay.ChangeCursor(head)}
	cursors := make([]string, len(changes))
	for i, ch := range c.Nodes {
		cursors[i] = relay.ChangeCursor(ch.Seq)
		c.Edges = append(c.Edges, &model.ChangeEdge{Cursor: cursors[i], Node: ch})
	}
	c.PageInfo = pageInfo(more, seq > 0, cursors)
	if len(changes) == 0 && after != nil {
		// An empty page leaves the client where it was.
		c.PageInfo.EndCursor = after
	}
	return c, nil
}

// changeOp names a db.ChangeOp as the API's ChangeOp enum.
func changeOp(op db.ChangeOp) generated.ChangeOp {
	if op == db.ChangeDelete {
		return generated.ChangeOpDelete
	}
	return generated.ChangeOpUpsert
}
