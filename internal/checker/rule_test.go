package checker

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestEveryRuleListed checks that the rules the rule files define (each a
// package-level var initialised to &Rule{...}) are the rules all lists, the
// list the registry, Rules and the docs are built from, each once.
func TestEveryRuleListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var defined, listed []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, v := range vs.Values {
					if vs.Names[i].Name == "all" {
						for _, e := range v.(*ast.CompositeLit).Elts {
							listed = append(listed, e.(*ast.Ident).Name)
						}
						continue
					}
					u, ok := v.(*ast.UnaryExpr)
					if !ok || u.Op != token.AND {
						continue
					}
					if c, ok := u.X.(*ast.CompositeLit); ok {
						if id, ok := c.Type.(*ast.Ident); ok && id.Name == "Rule" {
							defined = append(defined, vs.Names[i].Name)
						}
					}
				}
			}
		}
	}
	if len(defined) == 0 || len(listed) != len(all) {
		t.Fatalf("found %d rule definitions and %d names in all (which holds %d): has the way rules are written changed?", len(defined), len(listed), len(all))
	}
	sort.Strings(defined)
	sort.Strings(listed)
	if !slices.Equal(defined, listed) {
		t.Errorf("the rule files define\n%s\nall lists\n%s", strings.Join(defined, " "), strings.Join(listed, " "))
	}
}
