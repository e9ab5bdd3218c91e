package apitest

import (
	"os"
	"regexp"
	"testing"
)

// The README's example queries answer on the demo data without errors, and
// each returns data for every root field it asks for.
func TestReadmeExamples(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllSubmatch(readme, -1)
	if got, want := len(blocks), 18; got != want {
		t.Fatalf("README has %d graphql examples, want %d", got, want)
	}
	a := newAPI(t)
	nullRoot := regexp.MustCompile(`^\{"\w+":null`)
	for i, b := range blocks {
		data := a.data(string(b[1]), nil)
		if len(data) < 20 || nullRoot.Match(data) {
			t.Errorf("example %d answered %s", i+1, data)
		}
	}
}
