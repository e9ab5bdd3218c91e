package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite static/examples.json from the README")

// example is one playground tab: a README query and the sentence that
// introduces it.
type example struct {
	Title string `json:"title"`
	Query string `json:"query"`
}

// readmeExamples returns the README's graphql blocks with, as title, the
// last line of the paragraph before each (its trailing colon dropped).
func readmeExamples(t *testing.T) []example {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)([^\n]+)\n\n```graphql\n(.*?)```")
	var out []example
	for _, m := range re.FindAllSubmatch(readme, -1) {
		out = append(out, example{
			Title: strings.TrimSuffix(strings.TrimSpace(string(m[1])), ":"),
			Query: string(m[2]),
		})
	}
	return out
}

// The playground's tabs are the README's examples, in the README's order.
// After editing an example: go test ./graph/web -run TestExamplesMatchReadme -update
func TestExamplesMatchReadme(t *testing.T) {
	want := readmeExamples(t)
	if len(want) != 18 {
		t.Fatalf("README has %d graphql examples with an introducing line, want 18", len(want))
	}
	if *update {
		b, err := json.MarshalIndent(want, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("static/examples.json", append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile("static/examples.json")
	if err != nil {
		t.Fatal(err)
	}
	var got []example
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("static/examples.json has %d examples, README %d (rerun with -update)", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("example %d: examples.json has %+v, README %+v (rerun with -update)", i+1, got[i], want[i])
		}
	}
	if got[0].Title != "The whole story in time order, events and statements interleaved" {
		t.Errorf("first title = %q", got[0].Title)
	}
}
