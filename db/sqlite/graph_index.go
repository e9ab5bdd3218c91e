package sqlite

// The graph index: every edge of the event graph in one table that the
// traversals read, rewritten by the write path whenever the record that
// owns an edge changes. (Being written: these hooks are placeholders.)

func (w *writer) graphActor(id int64) error        { return nil }
func (w *writer) graphRelationship(id int64) error { return nil }
func (w *writer) graphEvent(id int64) error        { return nil }
func (w *writer) graphStatement(id int64) error    { return nil }
