package sqlite

// The full-text index of actors, events and statements (table search_text,
// migration 00003), kept by the write path: once a transaction has written
// records, their index rows are deleted and inserted again from them
// (flushDerived), so the index is exact after every change. A record loaded again unchanged is
// not rewritten, and neither is its index row.

// Kinds of record in the search index: the low two bits of a docid.
const (
	docActor     = 0
	docEvent     = 1
	docStatement = 2
)

// A timeline item's docid is item_id*4 + kind + 1 (timelineTextSQL relies on
// it): these fail to compile if the kind codes drift apart.
var (
	_ [docEvent - kindEvent - 1]struct{}
	_ [docStatement - kindStatement - 1]struct{}
	_ [kindEvent + 1 - docEvent]struct{}
	_ [kindStatement + 1 - docStatement]struct{}
)

// docid is the search_text row of record id of the given kind.
func docid(kind int, id int64) int64 { return id*4 + int64(kind) }

// The rows of one record, as migration 00003 backfills them: the SELECTs
// must stay the same as there. Lists join with newlines, which the tokenizer
// treats as any other separator.
const (
	textActorSQL = `INSERT INTO search_text (docid, title, body)
		SELECT a.id * 4, a.name || coalesce(char(10) || (SELECT group_concat(alias, char(10) ORDER BY position)
			FROM actor_aliases WHERE actor_id = a.id), ''), a.description
		FROM actors a WHERE a.id = ?1`
	textEventSQL = `INSERT INTO search_text (docid, title, body)
		SELECT e.id * 4 + 1, e.title, e.summary || coalesce(char(10) || (SELECT group_concat(tag, char(10) ORDER BY position)
			FROM event_tags WHERE event_id = e.id), '')
		FROM events e WHERE e.id = ?1`
	textStatementSQL = `INSERT INTO search_text (docid, title, body)
		SELECT s.id * 4 + 2, s.text, s.summary
		FROM statements s WHERE s.id = ?1`
)
