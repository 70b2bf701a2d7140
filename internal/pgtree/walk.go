package pgtree

// Walk calls fn for n and every Node below it, depth first, in the order
// of the fields in pg_query.proto.
func Walk(n *Node, fn func(*Node)) {
	Inspect(n, func(n *Node) bool { fn(n); return true })
}

// Inspect is Walk where fn says whether to walk the nodes below n: false
// skips them (a subquery its caller resolves in a scope of its own).
//
// The walk is generated from pg_query's descriptors (walk_gen.go), not done
// by protobuf reflection: reflection builds its tables for every message
// type on first use, which cost a short run more than the walk itself.
// Messages that are not Nodes (a RangeVar, a TypeName) are walked through
// without a call to fn, as they are not Nodes.
func Inspect(n *Node, fn func(*Node) bool) {
	if n == nil || n.Node == nil {
		return
	}
	if fn(n) {
		walkNode(n, fn)
	}
}
