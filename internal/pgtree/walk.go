package pgtree

import pg_query "github.com/pganalyze/pg_query_go/v5"

//go:generate go run ./internal/gen -walk

// Walk calls fn for n and every Node below it, depth first, in the order
// of the fields in pg_query.proto.
func Walk(n *pg_query.Node, fn func(*pg_query.Node)) {
	Inspect(n, func(n *pg_query.Node) bool { fn(n); return true })
}

// Inspect is Walk where fn says whether to walk the nodes below n: false
// skips them (a subquery its caller resolves in a scope of its own).
//
// The walk is generated from pg_query's descriptors (walk_gen.go), not done
// by protobuf reflection: reflection builds its tables for every message
// type on first use, which cost a short run more than the walk itself.
// Messages that are not Nodes (a RangeVar, a TypeName) are walked through
// without a call to fn, as they are not Nodes.
func Inspect(n *pg_query.Node, fn func(*pg_query.Node) bool) {
	if n == nil || n.Node == nil {
		return
	}
	if fn(n) {
		walkNode(n, fn)
	}
}
