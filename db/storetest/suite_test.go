package storetest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// A test written in the suite but not listed in tests would never run, on
// any backend: every function of the form testX(*testing.T, Opener) must be
// listed once, under the name X.
func TestEveryTestIsListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var written []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "test") || len(fn.Type.Params.List) != 2 {
				continue
			}
			if typ, ok := fn.Type.Params.List[1].Type.(*ast.Ident); ok && typ.Name == "Opener" {
				written = append(written, fn.Name.Name)
			}
		}
	}
	var listed []string
	for _, tt := range tests {
		fn := runtime.FuncForPC(reflect.ValueOf(tt.fn).Pointer()).Name()
		fn = fn[strings.LastIndex(fn, ".")+1:]
		if want := "test" + tt.name; fn != want {
			t.Errorf("%q runs %s, want %s", tt.name, fn, want)
		}
		listed = append(listed, fn)
	}
	for _, fn := range written {
		if n := count(listed, fn); n != 1 {
			t.Errorf("%s is listed %d times in tests, want once", fn, n)
		}
	}
	for _, fn := range listed {
		if !slices.Contains(written, fn) {
			t.Errorf("tests lists %s, which is not a test of the suite", fn)
		}
	}
}

func count(names []string, name string) int {
	n := 0
	for _, x := range names {
		if x == name {
			n++
		}
	}
	return n
}
