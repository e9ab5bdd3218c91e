package sqlite

import (
	"github.com/geotimeline/geotimeline/db"
)

// The graph index: every edge of the event graph in the table graph_edges
// (migration 00002, which documents the encoding), read by the traversals
// (db/graphsearch, through graph.go) and rewritten here by the write path
// whenever the record that owns an edge is written: flushDerived deletes
// the owners' rows and inserts them again from the record tables with the
// statements below, so an edge that moved (a changed participant, country,
// object or time) leaves no stale row behind.

// A node is one integer: its type code shifted left by nodeShift, or'ed with
// its row id. Owners use the same encoding, with ownerRelationship for a
// relationship, which is not a node.
const (
	nodeShift  = 48
	nodeIDMask = 1<<nodeShift - 1

	codeActor         = 1
	codeCountry       = 2
	codeEvent         = 3
	codeStatement     = 4
	ownerRelationship = 5
)

var nodeCodes = map[db.NodeType]int64{
	db.NodeActor: codeActor, db.NodeCountry: codeCountry, db.NodeEvent: codeEvent, db.NodeStatement: codeStatement,
}

var nodeTypes = map[int64]db.NodeType{
	codeActor: db.NodeActor, codeCountry: db.NodeCountry, codeEvent: db.NodeEvent, codeStatement: db.NodeStatement,
}

// encodeNode is the integer that stands for n in graph_edges; ok is false
// for an unknown type or an id out of range.
func encodeNode(n db.NodeRef) (int64, bool) {
	code, ok := nodeCodes[n.Type]
	if !ok || n.ID <= 0 || n.ID > nodeIDMask {
		return 0, false
	}
	return code<<nodeShift | n.ID, true
}

// decodeNode is the inverse of encodeNode.
func decodeNode(v int64) db.NodeRef {
	return db.NodeRef{Type: nodeTypes[v>>nodeShift], ID: v & nodeIDMask}
}

func owner(code, id int64) int64 { return code<<nodeShift | id }

// The kind codes of graph_edges: each kind's position in db.EdgeKinds,
// from 1 (a test checks the two agree).
const (
	edgeParticipation = 1 + iota
	edgeSpeaker
	edgeDeliverer
	edgeAddressee
	edgeAbout
	edgeRelationship
	edgeEventLink
	edgeLocation
	edgeAffiliation
)

// pairKinds lists, for each pair of node types (by code, the smaller
// first), the kinds of edge that can join nodes of those types.
var pairKinds = []struct {
	types [2]int64
	kinds []int
}{
	{[2]int64{codeActor, codeActor}, []int{edgeRelationship}},
	{[2]int64{codeActor, codeCountry}, []int{edgeRelationship, edgeAffiliation}},
	{[2]int64{codeActor, codeEvent}, []int{edgeParticipation}},
	{[2]int64{codeActor, codeStatement}, []int{edgeSpeaker, edgeDeliverer, edgeAddressee}},
	{[2]int64{codeCountry, codeEvent}, []int{edgeLocation}},
	{[2]int64{codeEvent, codeEvent}, []int{edgeEventLink}},
	{[2]int64{codeEvent, codeStatement}, []int{edgeAbout}},
}

// edgeKindCode is k's position in db.EdgeKinds, from 1 (0 for an unknown kind).
func edgeKindCode(k db.EdgeKind) int {
	for i, q := range db.EdgeKinds {
		if q == k {
			return i + 1
		}
	}
	return 0
}

// edgeKindOf is the inverse of edgeKindCode.
func edgeKindOf(code int) db.EdgeKind {
	if code < 1 || code > len(db.EdgeKinds) {
		return ""
	}
	return db.EdgeKinds[code-1]
}

// Each statement selects the owner's edges once, From → To, as
// e(f, k, t, o, r, s[, x]) and inserts both rows of each; INSERT OR IGNORE
// folds a list that names the same actor or event twice. Migration 00002
// runs the same statements for every owner at once.
const (
	graphEventSQL = `INSERT OR IGNORE INTO graph_edges (src, kind, dst, forward, owner, role, at_start, at_end)
		WITH e (f, k, t, o, r, s) AS (
			SELECT (1 << 48) | p.actor_id, 1, (3 << 48) | v.id, (3 << 48) | v.id, p.role, v.occurred_at
				FROM events v JOIN event_participants p ON p.event_id = v.id WHERE v.id = ?1
			UNION ALL SELECT (3 << 48) | v.id, 7, (3 << 48) | l.target_id, (3 << 48) | v.id, l.kind, v.occurred_at
				FROM events v JOIN event_links l ON l.event_id = v.id WHERE v.id = ?1
			UNION ALL SELECT (3 << 48) | v.id, 8, (2 << 48) | v.country_id, (3 << 48) | v.id, '', v.occurred_at
				FROM events v WHERE v.id = ?1 AND v.country_id IS NOT NULL
		)
		SELECT f, k, t, 1, o, r, s, s + 1 FROM e
		UNION ALL SELECT t, k, f, 0, o, r, s, s + 1 FROM e`

	graphStatementSQL = `INSERT OR IGNORE INTO graph_edges (src, kind, dst, forward, owner, role, at_start, at_end)
		WITH e (f, k, t, o, r, s) AS (
			SELECT (1 << 48) | m.speaker_id, 2, (4 << 48) | m.id, (4 << 48) | m.id, '', m.made_at
				FROM statements m WHERE m.id = ?1
			UNION ALL SELECT (1 << 48) | c.actor_id, 2, (4 << 48) | m.id, (4 << 48) | m.id, '', m.made_at
				FROM statements m JOIN statement_co_speakers c ON c.statement_id = m.id WHERE m.id = ?1
			UNION ALL SELECT (1 << 48) | m.delivered_by_id, 3, (4 << 48) | m.id, (4 << 48) | m.id, '', m.made_at
				FROM statements m WHERE m.id = ?1 AND m.delivered_by_id IS NOT NULL
			UNION ALL SELECT (4 << 48) | m.id, 4, (1 << 48) | d.actor_id, (4 << 48) | m.id, '', m.made_at
				FROM statements m JOIN statement_addressees d ON d.statement_id = m.id WHERE m.id = ?1
			UNION ALL SELECT (4 << 48) | m.id, 5, (3 << 48) | b.event_id, (4 << 48) | m.id, '', m.made_at
				FROM statements m JOIN statement_about b ON b.statement_id = m.id WHERE m.id = ?1
		)
		SELECT f, k, t, 1, o, r, s, s + 1 FROM e
		UNION ALL SELECT t, k, f, 0, o, r, s, s + 1 FROM e`

	graphActorSQL = `INSERT OR IGNORE INTO graph_edges (src, kind, dst, forward, owner, role, at_start, at_end)
		SELECT (1 << 48) | id, 9, (2 << 48) | country_id, 1, (1 << 48) | id, '', NULL, NULL
			FROM actors WHERE id = ?1 AND country_id IS NOT NULL
		UNION ALL SELECT (2 << 48) | country_id, 9, (1 << 48) | id, 0, (1 << 48) | id, '', NULL, NULL
			FROM actors WHERE id = ?1 AND country_id IS NOT NULL`

	// A relationship is [from, end of the period written as to): a YEAR or
	// MONTH end is calendar arithmetic, the others fixed lengths, exactly
	// as db.Date.End computes them.
	graphRelationshipSQL = `INSERT OR IGNORE INTO graph_edges (src, kind, dst, forward, owner, role, at_start, at_end)
		WITH e (f, k, t, o, r, s, x) AS (
			SELECT (1 << 48) | r.subject_id, 6,
					CASE WHEN r.object_actor_id IS NOT NULL THEN (1 << 48) | r.object_actor_id
						ELSE (2 << 48) | r.object_country_id END,
					(5 << 48) | r.id, r.kind, r.from_at,
					CASE r.to_precision
						WHEN 1 THEN unixepoch(r.to_at / 1000, 'unixepoch', '+1 years') * 1000
						WHEN 2 THEN unixepoch(r.to_at / 1000, 'unixepoch', '+1 months') * 1000
						WHEN 3 THEN r.to_at + 86400000
						WHEN 4 THEN r.to_at + 60000
						ELSE r.to_at + 1 END
				FROM relationships r WHERE r.id = ?1
		)
		SELECT f, k, t, 1, o, r, s, x FROM e
		UNION ALL SELECT t, k, f, 0, o, r, s, x FROM e`
)
