package pgtree

import (
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v5"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// reflectInspect is the walk done by protobuf reflection, which Inspect
// replaced: the oracle the generated walk must agree with.
func reflectInspect(n *pg_query.Node, fn func(*pg_query.Node) bool) {
	if n == nil || n.GetNode() == nil {
		return
	}
	if fn(n) {
		reflectWalk(n.ProtoReflect(), fn)
	}
}

func reflectWalk(m protoreflect.Message, fn func(*pg_query.Node) bool) {
	nodeDesc := (&pg_query.Node{}).ProtoReflect().Descriptor()
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		visit := func(child protoreflect.Message) {
			if child.Descriptor() == nodeDesc {
				reflectInspect(child.Interface().(*pg_query.Node), fn)
				return
			}
			reflectWalk(child, fn)
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				visit(l.Get(i).Message())
			}
		} else {
			visit(v.Message())
		}
		return true
	})
}

// TestInspectAgreesWithReflection walks every statement of the bench
// corpus and of the tricky inputs with Inspect and with reflection, once
// whole and once pruned at every SELECT and every function call, and wants
// the same nodes. Not in the same order: protobuf's Range swaps two
// neighbouring fields of a message on purpose, chosen by a hash of the
// binary (google.golang.org/protobuf/internal/detrand), so the reflection
// walk's order changed from build to build. Inspect's order is the
// fields' (TestInspectOrder).
func TestInspectAgreesWithReflection(t *testing.T) {
	var inputs []string
	for _, f := range benchCorpus(t) {
		inputs = append(inputs, string(f.Data))
	}
	inputs = append(inputs, tricky...)
	prunes := map[string]func(*pg_query.Node) bool{
		"whole": func(*pg_query.Node) bool { return true },
		"pruned": func(n *pg_query.Node) bool {
			return n.GetSelectStmt() == nil && n.GetFuncCall() == nil
		},
	}
	nodes := 0
	for _, sql := range inputs {
		res, err := Parse(sql)
		if err != nil {
			continue // the tricky inputs include invalid SQL
		}
		for i, raw := range res.Stmts {
			for name, keep := range prunes {
				var got, want []*pg_query.Node
				Inspect(raw.Stmt, func(n *pg_query.Node) bool { got = append(got, n); return keep(n) })
				reflectInspect(raw.Stmt, func(n *pg_query.Node) bool { want = append(want, n); return keep(n) })
				if len(got) != len(want) {
					t.Fatalf("%s walk of statement %d of %q: %d nodes, reflection %d", name, i, trunc(sql), len(got), len(want))
				}
				seen := map[*pg_query.Node]int{}
				for j := range got {
					seen[got[j]]++
					seen[want[j]]--
				}
				for n, d := range seen {
					if d != 0 {
						t.Fatalf("%s walk of statement %d of %q: %T visited %+d times more than by reflection", name, i, trunc(sql), n.Node, d)
					}
				}
				nodes += len(got)
			}
		}
	}
	if nodes < 100000 {
		t.Errorf("walked %d nodes: the corpus should give well over 100,000", nodes)
	}
	t.Logf("%d nodes walked alike", nodes)
}

// Inspect visits a node before the nodes below it, and the fields of a
// message in the order pg_query.proto declares them: a SELECT's clauses in
// the order they are written, an operator's name before its operands.
func TestInspectOrder(t *testing.T) {
	res, err := Parse("SELECT a, f(b) FROM t WHERE c = 1 ORDER BY d")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	Inspect(res.Stmts[0].Stmt, func(n *pg_query.Node) bool {
		switch x := n.Node.(type) {
		case *pg_query.Node_String_:
			got = append(got, x.String_.Sval)
		case *pg_query.Node_RangeVar:
			got = append(got, "table "+x.RangeVar.Relname)
		case *pg_query.Node_SelectStmt:
			got = append(got, "select")
		case *pg_query.Node_FuncCall:
			got = append(got, "call")
		}
		return true
	})
	want := "select a call f b table t = c d"
	if strings.Join(got, " ") != want {
		t.Errorf("order %q, want %q", strings.Join(got, " "), want)
	}
}

// BenchmarkInspect walks every statement of the bench corpus with the
// generated walk and with protobuf reflection.
func BenchmarkInspect(b *testing.B) {
	var stmts []*pg_query.Node
	for _, f := range benchCorpus(b) {
		res, err := Parse(string(f.Data))
		if err != nil {
			b.Fatal(err)
		}
		for _, raw := range res.Stmts {
			stmts = append(stmts, raw.Stmt)
		}
	}
	for _, bc := range []struct {
		name string
		walk func(*pg_query.Node, func(*pg_query.Node) bool)
	}{{"generated", Inspect}, {"reflection", reflectInspect}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				for _, s := range stmts {
					bc.walk(s, func(*pg_query.Node) bool { return true })
				}
			}
		})
	}
}
