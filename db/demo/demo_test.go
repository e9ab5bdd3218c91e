package demo_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/geotimeline/geotimeline/db/demo"
	"github.com/geotimeline/geotimeline/db/fixture"
)

// compileSchema compiles the fixture format's JSON Schema. Formats are
// asserted because a fixture's url is meant to be checked, not annotated.
func compileSchema(tb testing.TB) *jsonschema.Schema {
	tb.Helper()
	data, err := os.ReadFile("../fixture/schema.json")
	if err != nil {
		tb.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("parse schema: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		tb.Fatalf("add schema: %v", err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		tb.Fatalf("compile schema: %v", err)
	}
	return sch
}

// instance decodes data the way the schema library wants it (json.Number
// for numbers).
func instance(tb testing.TB, data []byte) any {
	tb.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("parse instance: %v", err)
	}
	return v
}

// leaves flattens a validation error into its innermost failures, written
// "instanceLocation keyword", sorted: the failures a reader would fix.
func leaves(err error) []string {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []string{"not a validation error: " + err.Error()}
	}
	var out []string
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, "/"+strings.Join(e.InstanceLocation, "/")+" "+strings.Join(e.ErrorKind.KeywordPath(), "/"))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	slices.Sort(out)
	return out
}

func TestSchemaAcceptsDemo(t *testing.T) {
	sch := compileSchema(t)
	if err := sch.Validate(instance(t, demo.JSON)); err != nil {
		t.Fatalf("demo.json does not match schema.json:\n%v", err)
	}
}

// TestSchemaRejects checks that the schema is not so loose that it accepts
// anything: each mutated copy of the demo must fail exactly where it was
// broken, and nowhere else.
func TestSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	tests := []struct {
		name   string
		mutate func(doc map[string]any)
		want   []string
	}{
		{
			name: "UnknownFieldInEvent",
			mutate: func(doc map[string]any) {
				event(t, doc, 0)["colour"] = "red"
			},
			want: []string{"/events/0 additionalProperties"},
		},
		{
			name:   "Version2",
			mutate: func(doc map[string]any) { doc["version"] = 2 },
			want:   []string{"/version const"},
		},
		{
			name: "BadKey",
			mutate: func(doc map[string]any) {
				event(t, doc, 0)["key"] = "Bad Key"
			},
			want: []string{"/events/0/key pattern"},
		},
		{
			name: "BadMonth",
			mutate: func(doc map[string]any) {
				event(t, doc, 0)["occurredAt"] = "2025-13"
			},
			want: []string{"/events/0/occurredAt pattern"},
		},
		{
			// An interval is two date forms and one "/"; relationships'
			// and sources' dates take plain forms only.
			name: "BadIntervals",
			mutate: func(doc map[string]any) {
				event(t, doc, 0)["occurredAt"] = "2025/2026/2027"
				event(t, doc, 1)["endedAt"] = "2025-05/"
				doc["statements"].([]any)[0].(map[string]any)["madeAt"] = "2025-05-08/2025-13"
				doc["sources"].([]any)[0].(map[string]any)["publishedAt"] = "2025-04/2025-05"
			},
			want: []string{"/events/0/occurredAt pattern", "/events/1/endedAt pattern", "/sources/0/publishedAt pattern",
				"/statements/0/madeAt pattern"},
		},
		{
			name: "RealDataFields",
			mutate: func(doc map[string]any) {
				e := event(t, doc, 0)
				e["codes"] = []any{map[string]any{"scheme": "cameo", "code": "190"}, map[string]any{"scheme": "CAMEO", "code": ""},
					map[string]any{"scheme": "CAMEO"}}
				e["intensity"] = 10.5
				e["estimates"] = []any{map[string]any{"measure": "FATALITIES"}, map[string]any{"measure": "DEATHS", "best": 1},
					map[string]any{"measure": "INJURED", "low": -1}}
				e["participants"].([]any)[0].(map[string]any)["as"] = 5
				doc["statements"].([]any)[0].(map[string]any)["coSpeakers"] = []any{"Not A Key"}
			},
			want: []string{"/events/0/codes/0/scheme pattern", "/events/0/codes/1/code minLength", "/events/0/codes/1/code pattern",
				"/events/0/codes/2 required", "/events/0/estimates/0 required", "/events/0/estimates/0 required",
				"/events/0/estimates/0 required", "/events/0/estimates/1/measure enum", "/events/0/estimates/2/low minimum",
				"/events/0/intensity maximum", "/events/0/participants/0/as type", "/statements/0/coSpeakers/0 pattern"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(demo.JSON, &doc); err != nil {
				t.Fatal(err)
			}
			tt.mutate(doc)
			data, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			err = sch.Validate(instance(t, data))
			if err == nil {
				t.Fatal("schema accepted the mutated fixture")
			}
			if got := leaves(err); !slices.Equal(got, tt.want) {
				t.Errorf("failures = %q, want %q\n%v", got, tt.want, err)
			}
		})
	}
}

// The schema and the loader agree on the real-data fields when they are
// right: both accept the demo with every one of them set (the demo's own
// intervals included).
func TestSchemaAndLoaderAcceptRealData(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(demo.JSON, &doc); err != nil {
		t.Fatal(err)
	}
	e := event(t, doc, 0)
	e["codes"] = []any{map[string]any{"scheme": "UCDP_GED", "code": "1", "label": "State-based"}}
	e["intensity"] = -10
	src := doc["sources"].([]any)[0].(map[string]any)["key"]
	e["estimates"] = []any{map[string]any{"measure": "FATALITIES", "low": 25, "best": 26, "high": 28, "source": src, "note": "n"},
		map[string]any{"measure": "INJURED", "high": 17}}
	e["participants"].([]any)[0].(map[string]any)["as"] = "gunmen"
	st := doc["statements"].([]any)[0].(map[string]any)
	st["coSpeakers"] = []any{"nepal"}
	st["madeAt"] = "2025-05-08T10:00+05:30/2025-05-08T12:00Z"
	event(t, doc, 1)["endedAt"] = "2025-05-09/2025-06"
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := compileSchema(t).Validate(instance(t, data)); err != nil {
		t.Errorf("schema rejects: %v", err)
	}
	if _, err := fixture.Decode([]fixture.File{{Name: "demo.json", Data: data}}); err != nil {
		t.Errorf("loader rejects: %v", err)
	}
}

// event returns the i-th event of a decoded fixture, failing the test when
// the demo has too few.
func event(tb testing.TB, doc map[string]any, i int) map[string]any {
	tb.Helper()
	events, _ := doc["events"].([]any)
	if len(events) <= i {
		tb.Fatalf("demo has %d events, want more than %d", len(events), i)
	}
	return events[i].(map[string]any)
}

// TestDecode checks that the loader accepts the demo and that everything it
// refers to is inside the file, since serve loads it into an empty database.
func TestDecode(t *testing.T) {
	set, err := fixture.Decode([]fixture.File{{Name: "demo.json", Data: demo.JSON}})
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if len(set.Refs) != 0 {
		var refs []string
		for _, r := range set.Refs {
			refs = append(refs, fmt.Sprintf("%s %q at %s", r.Kind, r.Key, r.Where))
		}
		t.Errorf("demo.json refers to records outside itself:\n%s", strings.Join(refs, "\n"))
	}
	if got := set.Batch.Len(); got == 0 {
		t.Error("demo.json holds no records")
	}
}
