package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/geotimeline/geotimeline/db"
)

// actorIDs maps "a:key" to the id a store gave each actor of keys.
func actorIDs(t *testing.T, s interface {
	ActorsByKey(ctx context.Context, keys []string) ([]*db.Actor, error)
}, keys []string) map[string]int64 {
	t.Helper()
	as, err := s.ActorsByKey(context.Background(), keys)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, a := range as {
		out["a:"+a.Key] = a.ID
	}
	return out
}

// On a generated graph, Counterparts answers as SQLite's does for every
// actor at once, with and without a window, for limits that cut, that do
// not, and that are refused.
func TestCounterpartsAgreeWithSQLite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lite, pg, set := loadBoth(t, 1500, 11)
	var actors []string
	for _, a := range set.Batch.Actors {
		actors = append(actors, a.Key)
	}
	ln, pn := actorIDs(t, lite, actors), actorIDs(t, pg, actors)
	from := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	shared := 0
	check := func(what, got, want string) {
		t.Helper()
		shared += strings.Count(want, "/")
		if got != want {
			t.Errorf("%s:\nPostgreSQL %s\nSQLite     %s", what, got, want)
		}
	}
	format := func(n map[string]int64, m map[int64][]db.Counterpart, err error) string {
		if err != nil {
			return fmt.Sprintf("error %s: %s", db.ErrorCode(err), db.ErrorMessage(err))
		}
		var b strings.Builder
		for _, key := range actors {
			id := n["a:"+key]
			fmt.Fprintf(&b, "%s:", key)
			for _, c := range m[id] {
				fmt.Fprintf(&b, " %s/%d/%s", c.Actor, c.SharedEvents, c.LastInteraction.Format(time.RFC3339Nano))
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	idsOf := func(n map[string]int64) []int64 {
		var ids []int64
		for _, key := range actors {
			ids = append(ids, n["a:"+key])
		}
		return ids
	}
	for i, c := range []struct {
		from, to *time.Time
		limit    int
	}{{nil, nil, 5}, {&from, &to, 3}, {nil, &to, 100}, {&from, nil, 1}, {nil, nil, 0}, {nil, nil, 101}} {
		got, err := pg.Counterparts(ctx, idsOf(pn), c.from, c.to, c.limit)
		gotText := format(pn, got, err)
		want, err := lite.Counterparts(ctx, idsOf(ln), c.from, c.to, c.limit)
		check(fmt.Sprintf("case %d: Counterparts(…, %d)", i, c.limit), gotText, format(ln, want, err))
	}
	if shared == 0 {
		t.Error("no actor has counterparts: the graph tests nothing")
	}
}
