package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/geotimeline/geotimeline/db"
)

// nodeKinds names the kind of record behind each node type, whose key
// query (refTables) resolves a reference by key.
var nodeKinds = map[db.NodeType]db.RefKind{
	db.NodeActor:     db.RefActor,
	db.NodeCountry:   db.RefCountry,
	db.NodeEvent:     db.RefEvent,
	db.NodeStatement: db.RefStatement,
}

// ResolveNodes returns refs with every reference by key (db.NodeRef.Key)
// turned into its row id. A key that names nothing is NOT_FOUND, as an ID
// that names nothing is, with the nearest keys: `no actor "marco-rubi":
// did you mean "marco-rubio"?`.
func (s *Store) ResolveNodes(ctx context.Context, refs []db.NodeRef) ([]db.NodeRef, error) {
	out := make([]db.NodeRef, len(refs))
	for i, r := range refs {
		out[i] = r
		if r.Key == "" || r.ID != 0 {
			continue
		}
		kind, ok := nodeKinds[r.Type]
		if !ok {
			return nil, fmt.Errorf("resolve node: unknown node type %q", r.Type)
		}
		err := s.reader(ctx).QueryRow(ctx, refTables[kind], r.Key).Scan(&out[i].ID)
		if errors.Is(err, pgx.ErrNoRows) {
			h, err := hints(ctx, s.pool, kind, []string{r.Key})
			if err != nil {
				return nil, err
			}
			return nil, db.Errorf(db.CodeNotFound, "no %s %q%s", kind, r.Key, h[0])
		}
		if err != nil {
			return nil, fmt.Errorf("resolve %s %q: %w", kind, r.Key, err)
		}
		out[i].Key = ""
	}
	return out, nil
}
