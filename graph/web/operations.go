package web

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"slices"
	"strings"
)

// operationName finds the named operations in a page's script or an
// example's text.
var operationName = regexp.MustCompile(`\b(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)`)

// OperationNames are the names of the operations the pages send (the
// dashboard's documents, and those its scripts build) and the playground
// offers as examples, sorted: the operations this server knows
// by name, which /metrics labels by name (any other name is a client's
// choice, and counted as "other").
func OperationNames() []string {
	seen := map[string]bool{}
	add := func(text string) {
		for _, m := range operationName.FindAllStringSubmatch(text, -1) {
			seen[m[1]] = true
		}
	}
	docs, err := Documents()
	if err != nil {
		panic(err) // embedded: TestDashboardDocumentsMatchSchema reads them
	}
	for _, d := range docs {
		add(d)
	}
	// The scripts name the operations they build in code (ActorNames).
	for _, script := range append(DashboardScripts(), "playground.js") {
		b, err := fs.ReadFile(files, script)
		if err != nil {
			panic(err) // embedded: cannot be missing
		}
		add(string(b))
	}
	b, err := fs.ReadFile(files, "examples.json")
	if err != nil {
		panic(err)
	}
	var examples []struct{ Query string }
	if err := json.Unmarshal(b, &examples); err != nil {
		panic(err)
	}
	for _, e := range examples {
		add(e.Query)
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// DashboardScripts are the dashboard's ES modules, every .js file under
// static/dashboard, as paths in the asset tree, sorted.
func DashboardScripts() []string {
	var names []string
	err := fs.WalkDir(files, "dashboard", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(name, ".js") {
			names = append(names, name)
		}
		return err
	})
	if err != nil || len(names) == 0 {
		panic("static/dashboard holds no scripts") // embedded: cannot be missing
	}
	slices.Sort(names)
	return names
}
