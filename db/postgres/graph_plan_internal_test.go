package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/geotimeline/geotimeline/db"
)

// planNode is a node of EXPLAIN (ANALYZE, FORMAT JSON)'s plan tree.
type planNode struct {
	Type       string     `json:"Node Type"`
	Index      string     `json:"Index Name"`
	ActualRows float64    `json:"Actual Rows"`
	Loops      float64    `json:"Actual Loops"`
	Plans      []planNode `json:"Plans"`
}

// scans returns the plan's scans of graph_edges: "Index Scan on
// graph_edges_pkey" and the rows each read over all its loops.
func (p planNode) scans(out map[string]float64) {
	if strings.HasSuffix(p.Type, "Scan") && p.Type != "Function Scan" {
		out[p.Type+" on "+p.Index] += p.ActualRows * p.Loops
	}
	for _, c := range p.Plans {
		c.scans(out)
	}
}

// A level's read of a hub reads at most the budget's rows from the primary
// key, whatever the hub's degree, with or without kinds, as SQLite's range
// scans do: never a bitmap scan of every row of the frontier, sorted (what
// PostgreSQL 15 makes of src = ANY (...) ORDER BY ...).
func TestGraphReadsAreBoundedRangeScans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openClocked(t)
	load(t, s, hubBatch(3000))
	if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	var hub, quiet int64
	if err := s.pool.QueryRow(ctx, `SELECT (SELECT id FROM actors WHERE key = 'hub'), (SELECT id FROM actors WHERE key = 'quiet')`).
		Scan(&hub, &quiet); err != nil {
		t.Fatal(err)
	}
	two := []int64{codeActor<<nodeShift | hub, codeActor<<nodeShift | quiet}
	const limit = 100
	for _, c := range []struct {
		name  string
		nodes []int64
		f     db.GraphFilter
	}{
		{"every kind", two, db.GraphFilter{}},
		{"kinds", two, db.GraphFilter{EdgeKinds: []db.EdgeKind{db.EdgeParticipation, db.EdgeRelationship}}},
		// The hub alone: its range scan, in order, with no sort.
		{"hub", two[:1], db.GraphFilter{}},
	} {
		nodes := c.nodes
		q, err := compileGraphFilter(c.f)
		if err != nil {
			t.Fatal(err)
		}
		edges, edgeArgs := q.edgesSQL(nodes, limit)
		var a sqlArgs
		lim := a.add(limit)
		degree := `SELECT count(*) FROM (SELECT 1 FROM ` + q.perNode(&a, nodes, lim, "1") + ` LIMIT ` + lim + `) AS d`
		for _, read := range []struct {
			what  string
			query string
			args  []any
		}{{"edges", edges, edgeArgs}, {"degree", degree, a}} {
			t.Run(c.name+"/"+read.what, func(t *testing.T) {
				var raw []byte
				if err := s.pool.QueryRow(ctx, `EXPLAIN (ANALYZE, FORMAT JSON) `+read.query, read.args...).Scan(&raw); err != nil {
					t.Fatal(err)
				}
				var plan []struct {
					Plan planNode `json:"Plan"`
				}
				if err := json.Unmarshal(raw, &plan); err != nil {
					t.Fatal(err)
				}
				got := map[string]float64{}
				plan[0].Plan.scans(got)
				for scan, rows := range got {
					if scan != "Index Scan on graph_edges_pkey" && scan != "Index Only Scan on graph_edges_pkey" {
						t.Errorf("plan scans %s (%v rows)", scan, rows)
					}
					// The hub's scan stops at the limit, or at its kinds'
					// (one scan per kind); the quiet actor has 2 rows.
					if bound := float64(2*limit + 2); rows > bound {
						t.Errorf("%s read %v rows, want %v at most", scan, rows, bound)
					}
				}
				if c.name == "hub" && read.what == "edges" && strings.Contains(string(raw), `"Sort"`) {
					t.Errorf("the hub's read sorts: %s", raw)
				}
				if len(got) == 0 {
					t.Errorf("plan has no scan of graph_edges: %s", raw)
				}
			})
		}
	}
}

// hubBatch is actor hub in n events, one of them with actor quiet, and
// hub allied with quiet.
func hubBatch(n int) string {
	events := make([]string, n)
	for i := range n {
		parts := `[{"actor": "hub", "role": "PARTICIPANT"}]`
		if i == 0 {
			parts = `[{"actor": "hub", "role": "PARTICIPANT"}, {"actor": "quiet", "role": "PARTICIPANT"}]`
		}
		events[i] = fmt.Sprintf(`{"key": "e%05d", "type": "MEETING", "title": "E", "occurredAt": "2025-01-01", "participants": %s}`, i, parts)
	}
	return `{"version": 1, "actors": [{"key": "hub", "name": "Hub", "kind": "OTHER"}, {"key": "quiet", "name": "Quiet", "kind": "OTHER"}],
		"relationships": [{"kind": "ALLIED_WITH", "subject": "hub", "object": "quiet"}],
		"events": [` + strings.Join(events, ", ") + `]}`
}
