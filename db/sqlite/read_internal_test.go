package sqlite

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
)

// Lists come back from SQLite's json_group_array in their stored order,
// whatever they hold: quotes, separators, backslashes, non-ASCII.
func TestListColumnRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "lists.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, want := range [][]string{
		{},
		{""},
		{"", ""},
		{"a"},
		{"b", "a", "c"},
		{`x","y`, `quote " inside`},
		{`back\slash`, "tab\there", "line\nbreak"},
		{"Ελλάδα", "日本", "emoji 🙂"},
	} {
		list, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		var raw string
		q := `SELECT json_group_array(v ORDER BY i) FROM (SELECT value AS v, key AS i FROM json_each(?))`
		if err := s.read.QueryRowContext(ctx, q, string(list)).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		got, err := decodeList[string](raw)
		if err != nil {
			t.Fatalf("decodeList(%s): %v", raw, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("decodeList(%s) = %q, want %q", raw, got, want)
		}
	}
}
