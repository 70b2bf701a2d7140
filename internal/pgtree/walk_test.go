package pgtree

import (
	"fmt"
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
// corpus and of the tricky inputs with Inspect, and the same statement as
// pg_query.Parse gives it with reflection, once whole and once pruned at
// every SELECT and every function call, and wants the same nodes: as many
// of each kind. Not in the same order: protobuf's Range swaps two
// neighbouring fields of a message on purpose, chosen by a hash of the
// binary (google.golang.org/protobuf/internal/detrand), so the reflection
// walk's order changes from build to build. Inspect's order is the
// fields' (TestInspectOrder).
func TestInspectAgreesWithReflection(t *testing.T) {
	var inputs []string
	for _, f := range benchCorpus(t) {
		inputs = append(inputs, string(f.Data))
	}
	inputs = append(inputs, tricky...)
	nodes := 0
	for _, sql := range inputs {
		res, err := Parse(sql)
		if err != nil {
			continue // the tricky inputs include invalid SQL
		}
		want, err := pg_query.Parse(sql)
		if err != nil {
			t.Fatalf("%q: pg_query.Parse: %v", trunc(sql), err)
		}
		for i, raw := range res.Stmts {
			for _, pruned := range []bool{false, true} {
				seen := map[string]int{}
				Inspect(raw.Stmt, func(n *Node) bool {
					seen[kind(n.Node)]++
					if !pruned {
						nodes++
					}
					return !pruned || n.GetSelectStmt() == nil && n.GetFuncCall() == nil
				})
				reflectInspect(want.Stmts[i].Stmt, func(n *pg_query.Node) bool {
					seen[kind(n.Node)]--
					return !pruned || n.GetSelectStmt() == nil && n.GetFuncCall() == nil
				})
				for k, d := range seen {
					if d != 0 {
						t.Fatalf("walk of statement %d of %q (pruned %v): %s visited %+d times more than by reflection", i, trunc(sql), pruned, k, d)
					}
				}
			}
		}
	}
	if nodes < 50000 {
		t.Errorf("walked %d nodes: the corpus should give well over 50,000", nodes)
	}
	t.Logf("%d nodes walked alike", nodes)
}

// kind is the name of a Node's wrapper type without its package:
// Node_SelectStmt.
func kind(v any) string {
	s := fmt.Sprintf("%T", v)
	return s[strings.LastIndexByte(s, '.')+1:]
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
	Inspect(res.Stmts[0].Stmt, func(n *Node) bool {
		switch x := n.Node.(type) {
		case *Node_String_:
			got = append(got, x.String_.Sval)
		case *Node_RangeVar:
			got = append(got, "table "+x.RangeVar.Relname)
		case *Node_SelectStmt:
			got = append(got, "select")
		case *Node_FuncCall:
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
// generated walk, and pg_query.Parse's trees of the same statements with
// protobuf reflection.
func BenchmarkInspect(b *testing.B) {
	var stmts []*Node
	var pgStmts []*pg_query.Node
	for _, f := range benchCorpus(b) {
		res, err := Parse(string(f.Data))
		if err != nil {
			b.Fatal(err)
		}
		for _, raw := range res.Stmts {
			stmts = append(stmts, raw.Stmt)
		}
		pg, err := pg_query.Parse(string(f.Data))
		if err != nil {
			b.Fatal(err)
		}
		for _, raw := range pg.Stmts {
			pgStmts = append(pgStmts, raw.Stmt)
		}
	}
	b.Run("generated", func(b *testing.B) {
		for b.Loop() {
			for _, s := range stmts {
				Inspect(s, func(*Node) bool { return true })
			}
		}
	})
	b.Run("reflection", func(b *testing.B) {
		for b.Loop() {
			for _, s := range pgStmts {
				reflectInspect(s, func(*pg_query.Node) bool { return true })
			}
		}
	})
}
