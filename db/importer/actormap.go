package importer

import (
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/geotimeline/geotimeline/db"
)

// ActorMap is an analyst's entity resolution (--actors FILE): which key a
// dataset's actor is. The file is CSV with the header dataset,actor,key:
// dataset is a --format name or "*" for every dataset, actor what the
// dataset calls the actor (ActorRef.ID: a CAMEO code for GDELT and PLOVER,
// the name for ICEWS, UCDP and ACLED), key an actor that exists in the
// database or that the run itself makes.
type ActorMap struct {
	m map[[2]string]string
}

// Lookup returns the key an actor of a dataset maps to. A nil map maps
// nothing.
func (m *ActorMap) Lookup(dataset, id string) (string, bool) {
	if m == nil {
		return "", false
	}
	if k, ok := m.m[[2]string{dataset, id}]; ok {
		return k, true
	}
	k, ok := m.m[[2]string{"*", id}]
	return k, ok
}

// ReadActorMap reads an --actors file named name. Every problem is
// reported, with its line, as db.Problems: a malformed line, an unknown
// dataset, a key that is not a key or that store does not hold (store nil:
// every key is unknown unless the run's own records define it, which the
// loader checks).
func ReadActorMap(ctx context.Context, name string, r io.Reader, datasets []string, store Store) (*ActorMap, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	var ps db.Problems
	m := &ActorMap{m: map[[2]string]string{}}
	first := map[[2]string]int{}
	keys := map[string][]int{}
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				ps.Add(where(name, pe.Line, ""), "%v", pe.Err)
				break
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if n == 0 {
			if strings.Join(rec, ",") != "dataset,actor,key" {
				ps.Add(where(name, line, ""), "the header must be dataset,actor,key, got %q", strings.Join(rec, ","))
				break
			}
			continue
		}
		if len(rec) != 3 {
			ps.Add(where(name, line, ""), "want 3 fields (dataset,actor,key), got %d", len(rec))
			continue
		}
		ds, id, key := strings.TrimSpace(rec[0]), rec[1], strings.TrimSpace(rec[2])
		if ds != "*" && !slices.Contains(datasets, ds) {
			ps.Add(where(name, line, "dataset"), "unknown dataset %q: want one of %s or *", ds, strings.Join(datasets, ", "))
			continue
		}
		if id == "" {
			ps.Add(where(name, line, "actor"), "must not be empty")
			continue
		}
		if !db.ValidKey(key) {
			ps.Add(where(name, line, "key"), "%q is not a key (1 to 128 of a-z 0-9 - _ . :, starting with a letter or digit)", key)
			continue
		}
		k := [2]string{ds, id}
		if f, dup := first[k]; dup {
			ps.Add(where(name, line, "actor"), "%s %q is mapped twice (first on line %d)", ds, id, f)
			continue
		}
		first[k] = line
		m.m[k] = key
		keys[key] = append(keys[key], line)
	}
	if store != nil && len(keys) > 0 {
		list := make([]string, 0, len(keys))
		for k := range keys {
			list = append(list, k)
		}
		found, err := store.ActorsByKey(ctx, list)
		if err != nil {
			return nil, fmt.Errorf("%s: look up the keys: %w", name, err)
		}
		for _, a := range found {
			delete(keys, a.Key)
		}
		for _, line := range sortedLines(keys) {
			ps.Add(where(name, line.n, "key"), "unknown actor %q: the database has no actor with this key", line.key)
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

type keyLine struct {
	n   int
	key string
}

// sortedLines lists each unknown key at its first line, in line order.
func sortedLines(keys map[string][]int) []keyLine {
	var out []keyLine
	for k, lines := range keys {
		out = append(out, keyLine{lines[0], k})
	}
	slices.SortFunc(out, func(a, b keyLine) int { return cmp.Compare(a.n, b.n) })
	return out
}
