package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// documentsDir holds the dashboard's GraphQL documents: one file per
// operation, named after it (Timeline.graphql holds query Timeline), and
// fragments.graphql with the fragments they share.
const documentsDir = "dashboard/graphql"

// Documents are the operations the dashboard sends, by name, each a whole
// document: the operation followed by every fragment it spreads, directly
// or through another fragment. The page fetches them as one JSON object
// (GET /assets/dashboard/documents.json), so that what the tests validate
// is exactly what the browser sends.
func Documents() (map[string]string, error) {
	documentsOnce.Do(func() {
		documents, documentsErr = readDocuments(files)
		if documentsErr == nil {
			documentsJSON, documentsErr = json.Marshal(documents)
		}
	})
	return maps.Clone(documents), documentsErr
}

var (
	documentsOnce sync.Once
	documents     map[string]string
	documentsJSON []byte // what serveDocuments sends: encoded once
	documentsErr  error
)

func readDocuments(tree fs.FS) (map[string]string, error) {
	names, err := fs.Glob(tree, documentsDir+"/*.graphql")
	if err != nil {
		return nil, err
	}
	fragments := map[string]string{}
	var fragmentFile string
	if b, err := fs.ReadFile(tree, documentsDir+"/fragments.graphql"); err == nil {
		fragmentFile = string(b)
		doc, perr := parser.ParseQuery(&ast.Source{Name: "fragments.graphql", Input: fragmentFile})
		if perr != nil {
			return nil, fmt.Errorf("fragments.graphql: %w", perr)
		}
		if len(doc.Operations) > 0 {
			return nil, fmt.Errorf("fragments.graphql: holds operation %s; operations have a file each", doc.Operations[0].Name)
		}
		for _, f := range doc.Fragments {
			fragments[f.Name] = fragmentFile[f.Position.Start:fragmentEnd(fragmentFile, f.Position.Start)]
		}
	}
	out := map[string]string{}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".graphql")
		if base == "fragments" {
			continue
		}
		b, err := fs.ReadFile(tree, name)
		if err != nil {
			return nil, err
		}
		text := strings.TrimSpace(string(b))
		doc, perr := parser.ParseQuery(&ast.Source{Name: path.Base(name), Input: text})
		if perr != nil {
			return nil, fmt.Errorf("%s: %w", path.Base(name), perr)
		}
		if len(doc.Operations) != 1 || len(doc.Fragments) != 0 || doc.Operations[0].Name != base {
			return nil, fmt.Errorf("%s: holds %d operations and %d fragments; want one operation named %s and no fragments (they go in fragments.graphql)",
				path.Base(name), len(doc.Operations), len(doc.Fragments), base)
		}
		// The fragments it needs, in the order fragments.graphql has them.
		need := map[string]bool{}
		var walk func(ast.SelectionSet) error
		walk = func(set ast.SelectionSet) error {
			for _, sel := range set {
				switch s := sel.(type) {
				case *ast.Field:
					if err := walk(s.SelectionSet); err != nil {
						return err
					}
				case *ast.InlineFragment:
					if err := walk(s.SelectionSet); err != nil {
						return err
					}
				case *ast.FragmentSpread:
					if need[s.Name] {
						continue
					}
					f, ok := fragments[s.Name]
					if !ok {
						return fmt.Errorf("%s: spreads fragment %s, which fragments.graphql does not define", path.Base(name), s.Name)
					}
					need[s.Name] = true
					fd, _ := parser.ParseQuery(&ast.Source{Input: f})
					if err := walk(fd.Fragments[0].SelectionSet); err != nil {
						return err
					}
				}
			}
			return nil
		}
		if err := walk(doc.Operations[0].SelectionSet); err != nil {
			return nil, err
		}
		var order []string
		for n := range need {
			order = append(order, n)
		}
		slices.SortFunc(order, func(a, b string) int {
			return strings.Index(fragmentFile, fragments[a]) - strings.Index(fragmentFile, fragments[b])
		})
		for _, n := range order {
			text += "\n\n" + fragments[n]
		}
		out[base] = text
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no operations", documentsDir)
	}
	return out, nil
}

// fragmentEnd is the offset just past the fragment that starts at start:
// its closing brace, found by counting braces (GraphQL strings in a
// fragment would need more; the dashboard's have none and the parser
// check of the result would catch one).
func fragmentEnd(text string, start int) int {
	depth := 0
	for i := start; i < len(text); i++ {
		switch text[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(text)
}

// serveDocuments answers GET /assets/dashboard/documents.json.
func serveDocuments(w http.ResponseWriter, r *http.Request) {
	if _, err := Documents(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(documentsJSON)
}
