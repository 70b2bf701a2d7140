package schema

import (
	pg "github.com/pganalyze/pg_query_go/v5"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Walk calls fn for n and every Node below it, depth first. It walks the
// generated protobuf messages by reflection, so it needs no update when
// PostgreSQL's grammar grows.
func Walk(n *pg.Node, fn func(*pg.Node)) {
	Inspect(n, func(n *pg.Node) bool { fn(n); return true })
}

// Inspect is Walk where fn says whether to walk the nodes below n: false
// skips them (a subquery its caller resolves in a scope of its own).
func Inspect(n *pg.Node, fn func(*pg.Node) bool) {
	if n == nil || n.GetNode() == nil {
		return
	}
	if fn(n) {
		walkMessage(n.ProtoReflect(), fn)
	}
}

var nodeDescriptor = (&pg.Node{}).ProtoReflect().Descriptor()

func walkMessage(m protoreflect.Message, fn func(*pg.Node) bool) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		visit := func(child protoreflect.Message) {
			if child.Descriptor() == nodeDescriptor {
				if node, ok := child.Interface().(*pg.Node); ok {
					Inspect(node, fn)
					return
				}
			}
			walkMessage(child, fn)
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				visit(l.Get(i).Message())
			}
		} else if !fd.IsMap() {
			visit(v.Message())
		}
		return true
	})
}
