package compat

import (
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// The expressions of a statement: its column references, resolved in the
// scope of their query (resolve.go), its function calls and constants.

// exprs resolves the column references, function calls, constants and
// subqueries of expressions.
func (r *resolver) exprs(sc *scope, nodes ...*pg.Node) {
	for _, n := range nodes {
		if n == nil {
			continue
		}
		pg.Inspect(n, func(c *pg.Node) bool { return r.expr(sc, c) })
	}
}

// expr handles one node of an expression; it returns whether its children
// remain to be walked.
func (r *resolver) expr(sc *scope, n *pg.Node) bool {
	switch e := n.GetNode().(type) {
	case *pg.Node_ColumnRef:
		if isStar(e.ColumnRef) {
			r.star(e.ColumnRef, sc) // count(*) never gets here: it is agg_star
			return false
		}
		r.column(sc, names(e.ColumnRef.Fields))
		return false
	case *pg.Node_SubLink:
		r.exprs(sc, e.SubLink.Testexpr)
		r.stmt(e.SubLink.Subselect, sc)
		return false
	case *pg.Node_SelectStmt, *pg.Node_InsertStmt, *pg.Node_UpdateStmt, *pg.Node_DeleteStmt:
		r.stmt(n, sc)
		return false
	case *pg.Node_FuncCall:
		if fn := e.FuncCall.Funcname; len(fn) > 0 {
			r.u.funcs[fn[len(fn)-1].GetString_().GetSval()] = true
		}
	case *pg.Node_AConst:
		if s := e.AConst.GetSval(); s != nil {
			r.u.strings[s.Sval] = true
		}
	}
	return true
}

// column resolves a column reference: [col], [rel, col] or [schema, rel,
// col].
func (r *resolver) column(sc *scope, parts []string) {
	if sc == nil || len(parts) == 0 {
		return
	}
	col := parts[len(parts)-1]
	if len(parts) >= 2 {
		rel := parts[len(parts)-2]
		for s := sc; s != nil; s = s.parent {
			for _, src := range s.sources {
				if src.name == rel || src.rel != nil && len(parts) == 3 && src.rel.key == qualified(parts[0], rel) {
					r.read(src, col)
					return
				}
			}
		}
		// A composite value's field, or a name PostgreSQL resolves in a
		// way phasegate does not follow.
		r.unresolved("%s is not a relation of its query", strings.Join(parts[:len(parts)-1], "."))
		return
	}
	for s := sc; s != nil; s = s.parent {
		var found []fromItem
		opaque := ""
		for _, src := range s.sources {
			switch {
			case src.rel != nil && src.rel.has[col]:
				found = append(found, src)
			case src.unknown != "":
				opaque = src.unknown
			case src.rel == nil && src.cols == nil:
				opaque = "a subquery or function whose columns phasegate cannot list"
			case src.rel == nil && contains(src.cols, col):
				found = append(found, src)
			}
		}
		switch {
		case len(found) == 1 && opaque == "":
			r.read(found[0], col)
			return
		case len(found) > 1:
			r.unresolved("column %s is in several relations of its query", col)
			return
		case opaque != "":
			r.unresolved("column %s may come from %s", col, opaque)
			return
		}
	}
	// A name no relation has: an output column's alias, a variable of a
	// function's body. Nothing of the catalog.
}

func (r *resolver) read(src fromItem, col string) {
	if src.rel != nil {
		r.u.reads[src.rel.key+"."+col] = true
	}
}

// star reads every column of the relation(s) of * or rel.*.
func (r *resolver) star(cr *pg.ColumnRef, sc *scope) []string {
	if sc == nil {
		return nil
	}
	parts := names(cr.Fields)
	var out []string
	for _, src := range sc.sources {
		if len(parts) > 0 && src.name != parts[len(parts)-1] {
			continue
		}
		switch {
		case src.rel != nil:
			for _, c := range src.rel.cols {
				r.u.reads[src.rel.key+"."+c] = true
			}
			out = append(out, src.rel.cols...)
		case src.unknown != "":
			r.unresolved("* of %s, which is not in the previous release's schema", src.unknown)
		default:
			out = append(out, src.cols...)
		}
	}
	return out
}

func isStar(cr *pg.ColumnRef) bool {
	return len(cr.Fields) > 0 && cr.Fields[len(cr.Fields)-1].GetAStar() != nil
}

// names are the string values of a list (fields of a ColumnRef, column
// names), A_Star left out.
func names(ns []*pg.Node) []string {
	var out []string
	for _, n := range ns {
		if s := n.GetString_(); s != nil {
			out = append(out, s.Sval)
		}
	}
	return out
}

func qualified(schema, name string) string {
	if schema == "" || schema == "public" {
		return name
	}
	return schema + "." + name
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ignoredRelation is a relation of PostgreSQL's own catalog, or a table a
// migration tool keeps: reading it proves nothing about the application's
// schema, and is not a failure to resolve.
func ignoredRelation(schema, name string) bool {
	return schema == "pg_catalog" || schema == "information_schema" || strings.HasPrefix(name, "pg_") || isToolTable(schema, name)
}
