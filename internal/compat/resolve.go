package compat

import (
	"fmt"
	"sort"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// This file resolves the names a recorded statement uses to the objects of
// the catalog: which tables it reads and writes, which of their columns,
// which functions it calls. Aliases, unqualified columns (found in the one
// relation of the query that has them), SELECT * and INSERT without a
// column list (every column), subqueries, CTEs, joins, RETURNING and ON
// CONFLICT are followed. What cannot be told is said, not guessed.

// relCatalog is what the resolver knows of the schema: the relations of
// the previous release's schema and of the migrated one, by name.
type relCatalog struct {
	byQName map[string]*relInfo   // "schema.name"
	byName  map[string][]*relInfo // "name"
}

// relInfo is one relation: key is its name as Change.Object writes it
// (public's without the schema).
type relInfo struct {
	key      string
	cols     []string // in attnum order
	has      map[string]bool
	defaults []string
}

// newRelCatalog merges the relations of the snapshots: the first one's
// names win (the previous release's, as its tests use them), columns the
// later ones add are known too.
func newRelCatalog(snaps ...*Snapshot) *relCatalog {
	c := &relCatalog{byQName: map[string]*relInfo{}, byName: map[string][]*relInfo{}}
	for _, s := range snaps {
		if s == nil {
			continue
		}
		type col struct {
			num  int16
			name string
			def  string
		}
		cols := map[uint32][]col{}
		for _, cl := range s.Columns {
			cols[cl.Rel] = append(cols[cl.Rel], col{cl.Num, cl.Name, cl.Default})
		}
		oids := make([]uint32, 0, len(s.Relations))
		for oid := range s.Relations {
			oids = append(oids, oid)
		}
		sort.Slice(oids, func(i, j int) bool { return oids[i] < oids[j] })
		for _, oid := range oids {
			r := s.Relations[oid]
			q := r.Schema + "." + r.Name
			ri := c.byQName[q]
			if ri == nil {
				ri = &relInfo{key: s.relName(oid), has: map[string]bool{}}
				c.byQName[q] = ri
				c.byName[r.Name] = append(c.byName[r.Name], ri)
			}
			cs := cols[oid]
			sort.Slice(cs, func(i, j int) bool { return cs[i].num < cs[j].num })
			for _, cl := range cs {
				if !ri.has[cl.name] {
					ri.has[cl.name] = true
					ri.cols = append(ri.cols, cl.name)
				}
				if cl.def != "" {
					ri.defaults = append(ri.defaults, cl.def)
				}
			}
		}
	}
	return c
}

// lookup finds a relation as a statement names it: schema-qualified, or
// in public, or the one relation of that name in any schema.
func (c *relCatalog) lookup(schema, name string) *relInfo {
	if schema != "" {
		return c.byQName[schema+"."+name]
	}
	if r := c.byQName["public."+name]; r != nil {
		return r
	}
	if rs := c.byName[name]; len(rs) == 1 {
		return rs[0]
	}
	return nil
}

// usage is what one statement does with the catalog's objects.
type usage struct {
	reads, writes map[string]bool // "table.column" (relInfo.key + "." + column)
	tableReads    map[string]bool // relInfo.key
	tableWrites   map[string]bool
	inserts       map[string]bool // tables it inserts rows into
	omits         map[string]bool // "table.column": columns its INSERT leaves to their default
	funcs         map[string]bool // functions it calls, by name
	strings       map[string]bool // its string constants
	// unresolved says why some of its names could not be told ("" when
	// every name was).
	unresolved string
	// ddl describes a statement that builds, rebuilds or changes a table
	// of the catalog, or creates a database (see vacuous).
	ddl string
}

func newUsage() *usage {
	return &usage{reads: map[string]bool{}, writes: map[string]bool{}, tableReads: map[string]bool{}, tableWrites: map[string]bool{},
		inserts: map[string]bool{}, omits: map[string]bool{}, funcs: map[string]bool{}, strings: map[string]bool{}}
}

// fromItem is a relation a query reads from, as the query names it.
type fromItem struct {
	name string   // alias, or the relation's name
	rel  *relInfo // nil: a subquery, a function, a CTE, or a table phasegate does not know
	cols []string // a derived relation's columns, when known
	// unknown names a table the catalog does not have (a temporary one,
	// another database's).
	unknown string
}

// scope is the relations visible in a query, and the enclosing query's.
type scope struct {
	sources []fromItem
	ctes    map[string]*fromItem
	parent  *scope
}

func (s *scope) cte(name string) *fromItem {
	for sc := s; sc != nil; sc = sc.parent {
		if c := sc.ctes[name]; c != nil {
			return c
		}
	}
	return nil
}

// resolver resolves one statement.
type resolver struct {
	cat *relCatalog
	u   *usage
	// temp are the tables the recorded statements created themselves
	// (temporary tables, fixtures'): not the catalog's, not unresolved.
	temp map[string]bool
}

func (r *resolver) unresolved(format string, args ...any) {
	if r.u.unresolved == "" {
		r.u.unresolved = fmt.Sprintf(format, args...)
	}
}

// stmt resolves a statement (or a query nested in one) in scope parent.
func (r *resolver) stmt(n *pg.Node, parent *scope) []string {
	switch s := n.GetNode().(type) {
	case *pg.Node_SelectStmt:
		return r.selectStmt(s.SelectStmt, parent)
	case *pg.Node_InsertStmt:
		r.insert(s.InsertStmt, parent)
	case *pg.Node_UpdateStmt:
		r.update(s.UpdateStmt, parent)
	case *pg.Node_DeleteStmt:
		r.delete(s.DeleteStmt, parent)
	case *pg.Node_CopyStmt:
		r.copy(s.CopyStmt, parent)
	case *pg.Node_MergeStmt:
		sc := r.with(s.MergeStmt.WithClause, parent)
		if t := r.target(s.MergeStmt.Relation); t.rel != nil {
			r.u.tableWrites[t.rel.key] = true
			sc.sources = append(sc.sources, t)
		}
		r.from(s.MergeStmt.SourceRelation, sc)
		r.unresolved("MERGE's column lists are not followed")
	case *pg.Node_ExplainStmt:
		return r.stmt(s.ExplainStmt.Query, parent)
	case *pg.Node_DeclareCursorStmt:
		return r.stmt(s.DeclareCursorStmt.Query, parent)
	case *pg.Node_PrepareStmt:
		return r.stmt(s.PrepareStmt.Query, parent)
	case *pg.Node_CreateTableAsStmt:
		r.stmt(s.CreateTableAsStmt.Query, parent)
	case *pg.Node_CallStmt:
		r.exprs(parent, s.CallStmt.Funccall.GetFuncname()...)
		if fn := s.CallStmt.Funccall.GetFuncname(); len(fn) > 0 {
			r.u.funcs[fn[len(fn)-1].GetString_().GetSval()] = true
		}
	}
	// Session and transaction statements, DDL (see ddlOf), utility
	// statements: they read no column of the catalog's tables.
	return nil
}

// with adds a query's CTEs to a new scope.
func (r *resolver) with(w *pg.WithClause, parent *scope) *scope {
	sc := &scope{parent: parent, ctes: map[string]*fromItem{}}
	if w == nil {
		return sc
	}
	for _, n := range w.Ctes {
		cte := n.GetCommonTableExpr()
		if cte == nil {
			continue
		}
		src := &fromItem{name: cte.Ctename}
		if w.Recursive {
			sc.ctes[cte.Ctename] = src // it may read itself
		}
		cols := r.stmt(cte.Ctequery, sc)
		if len(cte.Aliascolnames) > 0 {
			cols = names(cte.Aliascolnames)
		}
		src.cols = cols
		sc.ctes[cte.Ctename] = src
	}
	return sc
}

// selectStmt resolves a query and returns the names of its output
// columns when they can be told.
func (r *resolver) selectStmt(s *pg.SelectStmt, parent *scope) []string {
	if s == nil {
		return nil
	}
	sc := r.with(s.WithClause, parent)
	if s.Op != pg.SetOperation_SETOP_NONE {
		cols := r.selectStmt(s.Larg, sc)
		r.selectStmt(s.Rarg, sc)
		r.exprs(sc, s.SortClause...)
		return cols
	}
	for _, v := range s.ValuesLists {
		r.exprs(sc, v)
	}
	for _, f := range s.FromClause {
		r.from(f, sc)
	}
	var out []string
	for _, t := range s.TargetList {
		rt := t.GetResTarget()
		if rt == nil {
			continue
		}
		if cr := rt.Val.GetColumnRef(); cr != nil && isStar(cr) {
			out = append(out, r.star(cr, sc)...)
			continue
		}
		r.exprs(sc, rt.Val)
		switch {
		case rt.Name != "":
			out = append(out, rt.Name)
		case rt.Val.GetColumnRef() != nil:
			f := rt.Val.GetColumnRef().Fields
			out = append(out, f[len(f)-1].GetString_().GetSval())
		default:
			out = append(out, "?column?")
		}
	}
	r.exprs(sc, s.WhereClause, s.HavingClause, s.LimitCount, s.LimitOffset)
	r.exprs(sc, s.GroupClause...)
	r.exprs(sc, s.DistinctClause...)
	r.exprs(sc, s.WindowClause...)
	r.sortClause(sc, s.SortClause, out)
	if s.IntoClause != nil && s.IntoClause.Rel != nil {
		r.temp[s.IntoClause.Rel.Relname] = true
	}
	return out
}

// sortClause resolves ORDER BY, where a bare name may be an output
// column's.
func (r *resolver) sortClause(sc *scope, sorts []*pg.Node, outputs []string) {
	for _, n := range sorts {
		sb := n.GetSortBy()
		if sb == nil {
			continue
		}
		if cr := sb.Node.GetColumnRef(); cr != nil && len(cr.Fields) == 1 && contains(outputs, cr.Fields[0].GetString_().GetSval()) {
			continue
		}
		r.exprs(sc, sb.Node)
	}
}

// from adds a FROM item's relations to the scope.
func (r *resolver) from(n *pg.Node, sc *scope) {
	switch f := n.GetNode().(type) {
	case *pg.Node_RangeVar:
		sc.sources = append(sc.sources, r.rangeVar(f.RangeVar, sc, false))
	case *pg.Node_JoinExpr:
		r.from(f.JoinExpr.Larg, sc)
		r.from(f.JoinExpr.Rarg, sc)
		for _, u := range f.JoinExpr.UsingClause {
			r.column(sc, []string{u.GetString_().GetSval()})
		}
		r.exprs(sc, f.JoinExpr.Quals)
	case *pg.Node_RangeSubselect:
		inner := sc
		if !f.RangeSubselect.Lateral {
			// It sees the query's CTEs, not its other FROM items.
			inner = &scope{parent: sc.parent, ctes: sc.ctes}
		}
		cols := r.stmt(f.RangeSubselect.Subquery, inner)
		src := fromItem{cols: cols}
		if a := f.RangeSubselect.Alias; a != nil {
			src.name = a.Aliasname
			if len(a.Colnames) > 0 {
				src.cols = names(a.Colnames)
			}
		}
		sc.sources = append(sc.sources, src)
	case *pg.Node_RangeFunction:
		r.exprs(sc, f.RangeFunction.Functions...)
		src := fromItem{}
		if a := f.RangeFunction.Alias; a != nil {
			src.name = a.Aliasname
			if len(a.Colnames) > 0 {
				src.cols = names(a.Colnames)
			}
		}
		sc.sources = append(sc.sources, src)
	default:
		r.exprs(sc, n)
	}
}

// rangeVar resolves a table reference: a CTE, a table of the catalog, or
// one phasegate does not know.
func (r *resolver) rangeVar(rv *pg.RangeVar, sc *scope, write bool) fromItem {
	src := fromItem{name: rv.Relname}
	if rv.Alias != nil {
		src.name = rv.Alias.Aliasname
	}
	if rv.Schemaname == "" && sc != nil {
		if c := sc.cte(rv.Relname); c != nil {
			src.cols = c.cols
			return src
		}
	}
	rel := r.cat.lookup(rv.Schemaname, rv.Relname)
	switch {
	case rel != nil:
		src.rel = rel
		if !write {
			r.u.tableReads[rel.key] = true
		}
	case ignoredRelation(rv.Schemaname, rv.Relname) || r.temp[rv.Relname]:
		src.cols = []string{}
	default:
		src.unknown = qualified(rv.Schemaname, rv.Relname)
	}
	return src
}

// target is the table an INSERT, UPDATE, DELETE or MERGE writes.
func (r *resolver) target(rv *pg.RangeVar) fromItem {
	if rv == nil {
		return fromItem{}
	}
	src := r.rangeVar(rv, nil, true)
	if src.unknown != "" {
		r.unresolved("it writes %s, which is not in the previous release's schema", src.unknown)
	}
	return src
}

func (r *resolver) insert(s *pg.InsertStmt, parent *scope) {
	sc := r.with(s.WithClause, parent)
	t := r.target(s.Relation)
	if t.rel != nil {
		r.u.tableWrites[t.rel.key] = true
		r.u.inserts[t.rel.key] = true
		cols := t.rel.cols
		if len(s.Cols) > 0 {
			cols = nil
			for _, c := range s.Cols {
				cols = append(cols, c.GetResTarget().GetName())
			}
		}
		for _, c := range cols {
			r.u.writes[t.rel.key+"."+c] = true
		}
		for _, c := range t.rel.cols {
			if !contains(cols, c) {
				r.u.omits[t.rel.key+"."+c] = true
			}
		}
	}
	r.stmt(s.SelectStmt, sc)
	own := &scope{parent: sc, sources: []fromItem{t}}
	if oc := s.OnConflictClause; oc != nil {
		if oc.Infer != nil {
			for _, e := range oc.Infer.IndexElems {
				if ie := e.GetIndexElem(); ie != nil && ie.Name != "" {
					r.column(own, []string{ie.Name})
				} else {
					r.exprs(own, e)
				}
			}
			r.exprs(own, oc.Infer.WhereClause)
		}
		excluded := &scope{parent: sc, sources: []fromItem{t, {name: "excluded", rel: t.rel, unknown: t.unknown}}}
		r.setList(excluded, t, oc.TargetList)
		r.exprs(excluded, oc.WhereClause)
	}
	r.returning(own, s.ReturningList)
}

func (r *resolver) update(s *pg.UpdateStmt, parent *scope) {
	r.modify(s.WithClause, s.Relation, s.FromClause, s.TargetList, s.WhereClause, s.ReturningList, parent)
}

func (r *resolver) delete(s *pg.DeleteStmt, parent *scope) {
	r.modify(s.WithClause, s.Relation, s.UsingClause, nil, s.WhereClause, s.ReturningList, parent)
}

// modify resolves an UPDATE (set) or a DELETE: it writes its table, reads
// from its FROM or USING list.
func (r *resolver) modify(with *pg.WithClause, rel *pg.RangeVar, from, set []*pg.Node, where *pg.Node, returning []*pg.Node, parent *scope) {
	sc := r.with(with, parent)
	t := r.target(rel)
	if t.rel != nil {
		r.u.tableWrites[t.rel.key] = true
	}
	sc.sources = append(sc.sources, t)
	for _, f := range from {
		r.from(f, sc)
	}
	r.setList(sc, t, set)
	r.exprs(sc, where)
	r.returning(sc, returning)
}

// setList resolves SET col = expr: the column is written, expr read.
func (r *resolver) setList(sc *scope, t fromItem, targets []*pg.Node) {
	for _, n := range targets {
		rt := n.GetResTarget()
		if rt == nil {
			continue
		}
		if t.rel != nil && rt.Name != "" {
			r.u.writes[t.rel.key+"."+rt.Name] = true
		}
		r.exprs(sc, rt.Val)
	}
}

func (r *resolver) copy(s *pg.CopyStmt, parent *scope) {
	if s.Query != nil {
		r.stmt(s.Query, parent)
		return
	}
	if s.Relation == nil {
		return
	}
	t := r.rangeVar(s.Relation, nil, s.IsFrom)
	if t.rel == nil {
		if t.unknown != "" {
			r.unresolved("it copies %s, which is not in the previous release's schema", t.unknown)
		}
		return
	}
	cols := t.rel.cols
	if len(s.Attlist) > 0 {
		cols = names(s.Attlist)
	}
	for _, c := range cols {
		if s.IsFrom {
			r.u.writes[t.rel.key+"."+c] = true
		} else {
			r.u.reads[t.rel.key+"."+c] = true
		}
	}
	if s.IsFrom {
		r.u.tableWrites[t.rel.key] = true
		r.u.inserts[t.rel.key] = true
	}
}

func (r *resolver) returning(sc *scope, list []*pg.Node) {
	for _, n := range list {
		rt := n.GetResTarget()
		if rt == nil {
			continue
		}
		if cr := rt.Val.GetColumnRef(); cr != nil && isStar(cr) {
			r.star(cr, sc)
			continue
		}
		r.exprs(sc, rt.Val)
	}
}
