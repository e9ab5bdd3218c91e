package apitest

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestChronologicalPath checks shortestPath(chronological: true) on the
// demo: the Pahalgam attack (22 April) led through India's strikes (May) to
// Rubio's call with Sharif (8 May), and nothing leads back from the call to
// the attack forward in time.
func TestChronologicalPath(t *testing.T) {
	a := newAPI(t)
	q := `query($from: ID!, $to: ID!, $maxDepth: Int, $chronological: Boolean) {
	  shortestPath(from: $from, to: $to, maxDepth: $maxDepth, chronological: $chronological) { length nodes { ` + nodeKeys + ` } } }`
	for _, c := range []struct {
		name     string
		from, to string
		chrono   bool
		want     []string // nil for no path
	}{
		{"AttackToCall", "event:pahalgam-attack", "event:rubio-sharif-call", true,
			[]string{"pahalgam-attack", "india-retaliatory-strikes", "rubio-sharif-call"}},
		{"CallToAttackPlain", "event:rubio-sharif-call", "event:pahalgam-attack", false,
			[]string{"rubio-sharif-call", "india-retaliatory-strikes", "pahalgam-attack"}},
		{"CallToAttack", "event:rubio-sharif-call", "event:pahalgam-attack", true, nil},
		// Rubio to the attackers: the plain path goes back from his call's
		// readout (8 May) to the attack (22 April); in time order the way
		// is longer, through Sharif's and the groups' affiliation with
		// Pakistan, which has no time.
		{"RubioToAttackersPlain", "actor:marco-rubio", "actor:pakistan-based-terror-groups", false,
			[]string{"marco-rubio", "rubio-jaishankar-call-readout", "pahalgam-attack", "pakistan-based-terror-groups"}},
		{"RubioToAttackers", "actor:marco-rubio", "actor:pakistan-based-terror-groups", true,
			[]string{"marco-rubio", "rubio-sharif-call", "shehbaz-sharif", "PK", "pakistan-based-terror-groups"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := a.data(q, map[string]any{"from": c.from, "to": c.to, "chronological": c.chrono})
			var v struct{ ShortestPath *struct{ Length int } }
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatal(err)
			}
			if c.want == nil {
				if v.ShortestPath != nil {
					t.Errorf("path = %s, want null", data)
				}
				return
			}
			if v.ShortestPath == nil {
				t.Fatalf("path = null, want %q", c.want)
			}
			if got := nodeList(t, data, "shortestPath", "nodes"); !slices.Equal(got, c.want) {
				t.Errorf("nodes = %q\nwant %q", got, c.want)
			}
			if got, want := v.ShortestPath.Length, len(c.want)-1; got != want {
				t.Errorf("length = %d, want %d", got, want)
			}
		})
	}
	// Not even six edges join the call to the attack in time order.
	if data := a.data(q, map[string]any{"from": "event:rubio-sharif-call", "to": "event:pahalgam-attack", "maxDepth": 6, "chronological": true}); string(data) != `{"shortestPath":null}` {
		t.Errorf("maxDepth 6: %s, want null", data)
	}
}
