package checker

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestEveryRuleListed checks that every rule a rule file defines (a
// package-level var initialised to &Rule{...}) is in all, the list the
// registry, Rules and the docs are built from, exactly once.
func TestEveryRuleListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var names []string
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
					u, ok := v.(*ast.UnaryExpr)
					if !ok || u.Op != token.AND {
						continue
					}
					if c, ok := u.X.(*ast.CompositeLit); ok {
						if id, ok := c.Type.(*ast.Ident); ok && id.Name == "Rule" {
							names = append(names, vs.Names[i].Name)
						}
					}
				}
			}
		}
	}
	if len(names) == 0 {
		t.Fatal("found no rule definitions: has the way rules are written changed?")
	}
	sort.Strings(names)
	listed := map[*Rule]int{}
	for _, r := range all {
		if r == nil {
			t.Fatal("all holds a nil rule")
		}
		listed[r]++
	}
	byID := map[string]*Rule{}
	for _, r := range all {
		byID[r.ID] = r
	}
	if len(all) != len(names) {
		t.Errorf("the rule files define %d rules (%s); all lists %d", len(names), strings.Join(names, ", "), len(all))
	}
	for r, n := range listed {
		if n != 1 {
			t.Errorf("rule %s is listed %d times in all", r.ID, n)
		}
	}
	if len(byID) != len(all) {
		t.Errorf("all has %d rules but %d distinct ids", len(all), len(byID))
	}
	for id, r := range byID {
		if Lookup(id) != r {
			t.Errorf("Lookup(%q) does not find the listed rule", id)
		}
	}
}
