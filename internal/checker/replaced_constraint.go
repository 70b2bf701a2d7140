package checker

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

// A constraint added where the transaction's schema already had one that
// rejects at least as much (or that it drops in the same transaction)
// narrows nothing: the writes of the previous release that succeeded still
// succeed. phasegate compares the two as far as it can prove; where it
// cannot, the conservative verdict stands and says why.

// key is what a constraint or unique index rejects, as far as comparing two
// of them needs.
type key struct {
	name string
	kind schema.ConstraintKind // Unique (unique indexes too), PrimaryKey, Check, ForeignKey
	cols []string              // the key's plain columns; nil when an expression is part of it
	// index is set for a unique index (not a constraint).
	index bool
	// nnd: NULLS NOT DISTINCT.
	nnd bool
	// deferral: 0 not deferrable (each row at once), 1 deferrable
	// initially immediate (at the end of the statement), 2 initially
	// deferred (at commit).
	deferral int
	// where is a partial index's predicate, as SQL.
	where string
	check *pg.Node       // CHECK: the expression
	fk    *pg.Constraint // FOREIGN KEY: the definition
	refs  schema.QName   // FOREIGN KEY: the referenced table
}

func (k key) String() string {
	what := strings.ToLower(k.kind.String()) + " constraint"
	if k.index {
		what = "unique index"
	}
	return what + " " + k.name
}

// constraintKey is the key of constraint con (a definition as written);
// cat resolves the table a foreign key references (nil: the caller does).
func constraintKey(cat *schema.Catalog, name string, con *pg.Constraint) key {
	k := key{name: name}
	switch con.Contype {
	case pg.ConstrType_CONSTR_UNIQUE:
		k.kind = schema.Unique
	case pg.ConstrType_CONSTR_PRIMARY:
		k.kind = schema.PrimaryKey
	case pg.ConstrType_CONSTR_CHECK:
		k.kind, k.check = schema.Check, con.RawExpr
	case pg.ConstrType_CONSTR_FOREIGN:
		k.kind, k.fk = schema.ForeignKey, con
		if cat != nil {
			k.refs = cat.Resolve(con.Pktable)
		}
		k.cols = schema.Names(con.FkAttrs)
	default:
		return k
	}
	if k.kind == schema.Unique || k.kind == schema.PrimaryKey {
		k.cols = schema.Names(con.Keys)
		k.nnd = con.NullsNotDistinct
	}
	switch {
	case con.Initdeferred:
		k.deferral = 2
	case con.Deferrable:
		k.deferral = 1
	}
	return k
}

// indexKey is the key of unique index ix.
func indexKey(name string, ix *pg.IndexStmt) key {
	k := key{name: name, kind: schema.Unique, index: true, nnd: ix.NullsNotDistinct}
	for _, p := range ix.IndexParams {
		el := p.GetIndexElem()
		if el == nil || el.Name == "" {
			k.cols = nil // an expression
			break
		}
		k.cols = append(k.cols, el.Name)
	}
	if ix.WhereClause != nil {
		k.where = exprSQL(ix.WhereClause)
		if k.where == "" {
			k.where = "(its predicate)"
		}
	}
	return k
}

// tableKeys is a schema that can list a table's keys: the catalog, or the
// schema as the transaction found it (BeforeTransaction).
type tableKeys interface {
	Table(q schema.QName) *schema.Table
	IndexesOn(q schema.QName) []*schema.Index
}

// keysOf lists the constraints and unique indexes of table q; with
// production set, only those that existed before the change.
func keysOf(cat tableKeys, q schema.QName, production bool) []key {
	var out []key
	if t := cat.Table(q); t != nil {
		for name, con := range t.Constraints {
			if production && con.Origin.New || con.Def == nil {
				continue
			}
			k := constraintKey(nil, name, con.Def)
			if con.Def.Contype == pg.ConstrType_CONSTR_UNIQUE || con.Def.Contype == pg.ConstrType_CONSTR_PRIMARY {
				k.cols = con.Columns // a column constraint names its column here
			}
			if k.kind == schema.ForeignKey {
				k.cols, k.refs = con.Columns, con.Refs
			}
			if k.kind != 0 {
				out = append(out, k)
			}
		}
	}
	for _, ix := range cat.IndexesOn(q) {
		if ix.Stmt == nil || !ix.Unique || production && ix.Origin.New {
			continue // a constraint's index is its constraint
		}
		out = append(out, indexKey(ix.Name.Name, ix.Stmt))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// rejectsNothingNew reports whether key nk, added to table q, rejects no
// write that the keys the transaction found (production's) let through.
// When it cannot prove it, note says why, for a key the transaction drops
// (the one nk replaces) or one that nearly proves it.
func (c *Context) rejectsNothingNew(q schema.QName, nk key) (ok bool, note string) {
	before := c.BeforeTransaction()
	var dropped, near string
	for _, old := range keysOf(before, q, true) {
		if !comparable(old, nk) {
			continue
		}
		why := c.implies(q, old, nk)
		if why == "" {
			return true, ""
		}
		switch {
		case dropped == "" && !c.hasKey(q, old):
			dropped = fmt.Sprintf("it replaces %s, but %s", old, why)
		case near == "" && old.cols != nil && nk.cols != nil && subset(old.cols, nk.cols):
			near = fmt.Sprintf("%s exists, but %s", old, why)
		}
	}
	if dropped != "" {
		return false, dropped
	}
	return false, near
}

// hasKey reports whether the catalog before the statement still has key k
// of table q (the transaction did not drop it).
func (c *Context) hasKey(q schema.QName, k key) bool {
	if k.index {
		return c.Catalog.Indexes[schema.QName{Schema: q.Schema, Name: k.name}] != nil
	}
	t := c.Catalog.Tables[q]
	return t != nil && t.Constraints[k.name] != nil
}

// comparable reports whether old can prove anything about nk.
func comparable(old, nk key) bool {
	switch nk.kind {
	case schema.Unique, schema.PrimaryKey:
		return old.kind == schema.Unique || old.kind == schema.PrimaryKey
	}
	return old.kind == nk.kind
}

// implies returns "" when every row old accepts, nk accepts too, or why
// phasegate cannot tell.
func (c *Context) implies(q schema.QName, old, nk key) string {
	switch nk.kind {
	case schema.Unique, schema.PrimaryKey:
		return c.uniqueImplies(q, old, nk)
	case schema.Check:
		return checkImplies(old, nk)
	case schema.ForeignKey:
		return c.foreignKeyImplies(old, nk)
	}
	return "phasegate cannot compare them"
}

// uniqueImplies compares two unique keys: a key over a subset of nk's
// columns already rejects every duplicate nk rejects.
func (c *Context) uniqueImplies(q schema.QName, old, nk key) string {
	switch {
	case nk.cols == nil:
		return "the new key holds an expression, which phasegate cannot compare"
	case old.cols == nil:
		return "it holds an expression, which phasegate cannot compare"
	case old.where != "" && nk.where != old.where:
		return fmt.Sprintf("it was partial (WHERE %s): it let duplicates outside its predicate through", old.where)
	case !subset(old.cols, nk.cols):
		return fmt.Sprintf("it is over (%s), which is not part of (%s)", strings.Join(old.cols, ", "), strings.Join(nk.cols, ", "))
	case nk.deferral < old.deferral:
		return "it was DEFERRABLE: the new key checks each row at once, and rejects what the old one let a statement or transaction put right before its end"
	}
	t := c.Catalog.Tables[q]
	notNull := func(col string) bool {
		if t == nil {
			return false
		}
		cc := t.Column(col)
		return cc != nil && cc.NotNull
	}
	if nk.nnd && !old.nnd {
		for _, col := range old.cols {
			if !notNull(col) {
				return fmt.Sprintf("the new key treats NULLs as equal (NULLS NOT DISTINCT) and %s may be NULL, which the old one let repeat", col)
			}
		}
	}
	if nk.kind == schema.PrimaryKey {
		for _, col := range nk.cols {
			if !notNull(col) {
				if t == nil || t.Column(col) == nil {
					return fmt.Sprintf("phasegate does not know whether %s.%s is NOT NULL, which PRIMARY KEY requires", q, col)
				}
				return fmt.Sprintf("%s.%s is nullable: PRIMARY KEY makes it NOT NULL, and the previous release may write NULL", q, col)
			}
		}
	}
	return ""
}

// subset reports whether every element of a is in b.
func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// checkImplies compares two CHECK constraints: the same expression, or a
// list of allowed values (col IN (...), col = ANY (ARRAY[...])) that only
// grows.
func checkImplies(old, nk key) string {
	if old.check == nil || nk.check == nil {
		return "phasegate cannot compare them"
	}
	o, n := exprSQL(old.check), exprSQL(nk.check)
	if o != "" && o == n {
		return ""
	}
	oc, ov, ok1 := allowedValues(old.check)
	nc, nv, ok2 := allowedValues(nk.check)
	if ok1 && ok2 && oc == nc {
		var lost []string
		for _, v := range ov {
			if !slices.Contains(nv, v) {
				lost = append(lost, v)
			}
		}
		if len(lost) == 0 {
			return ""
		}
		return fmt.Sprintf("the new check no longer allows %s %s", oc, strings.Join(lost, ", "))
	}
	if len(o) > 60 || len(n) > 60 {
		return "phasegate cannot prove that the new check accepts every row the old one accepted"
	}
	return fmt.Sprintf("phasegate cannot prove that CHECK (%s) accepts every row CHECK (%s) accepted", n, o)
}

// allowedValues reads col IN (v, ...) and col = ANY (ARRAY[v, ...]) (casts
// aside): the column and the values as SQL.
func allowedValues(expr *pg.Node) (string, []string, bool) {
	a := expr.GetAExpr()
	if a == nil {
		return "", nil, false
	}
	col := strings.Join(schema.Names(stripCast(a.Lexpr).GetColumnRef().GetFields()), ".")
	if col == "" {
		return "", nil, false
	}
	var items []*pg.Node
	switch {
	case a.Kind == pg.A_Expr_Kind_AEXPR_IN && len(schema.Names(a.Name)) == 1 && schema.Names(a.Name)[0] == "=":
		items = a.Rexpr.GetList().GetItems()
	case a.Kind == pg.A_Expr_Kind_AEXPR_OP_ANY && len(schema.Names(a.Name)) == 1 && schema.Names(a.Name)[0] == "=":
		items = stripCast(a.Rexpr).GetAArrayExpr().GetElements()
	default:
		return "", nil, false
	}
	if len(items) == 0 {
		return "", nil, false
	}
	var vals []string
	for _, it := range items {
		c := stripCast(it).GetAConst()
		if c == nil {
			return "", nil, false
		}
		v := exprSQL(&pg.Node{Node: &pg.Node_AConst{AConst: c}})
		if v == "" {
			return "", nil, false
		}
		vals = append(vals, v)
	}
	return col, vals, true
}

func stripCast(n *pg.Node) *pg.Node {
	for n != nil && n.GetTypeCast() != nil {
		n = n.GetTypeCast().Arg
	}
	return n
}

// foreignKeyImplies compares two foreign keys: the same columns and
// referenced table, and actions that reject no delete or update of the
// referenced rows that the old ones allowed.
func (c *Context) foreignKeyImplies(old, nk key) string {
	if old.fk == nil || nk.fk == nil {
		return "phasegate cannot compare them"
	}
	if !slices.Equal(old.cols, nk.cols) || old.refs != nk.refs {
		return fmt.Sprintf("it is over (%s) referencing %s", strings.Join(old.cols, ", "), old.refs)
	}
	if !slices.Equal(c.referencedColumns(old), c.referencedColumns(nk)) {
		return fmt.Sprintf("it references other columns of %s", old.refs)
	}
	if old.fk.FkMatchtype != nk.fk.FkMatchtype {
		return "its MATCH type differs"
	}
	if nk.deferral < old.deferral {
		return "it was DEFERRABLE: the new key checks each row at once"
	}
	for _, a := range []struct{ on, old, new string }{{"DELETE", old.fk.FkDelAction, nk.fk.FkDelAction}, {"UPDATE", old.fk.FkUpdAction, nk.fk.FkUpdAction}} {
		// An old action that rejects (NO ACTION, RESTRICT) let no delete
		// or update of a referenced row through; CASCADE rejects none.
		switch {
		case rejects(a.old), a.new == "c", a.new == a.old:
		case rejects(a.new):
			return fmt.Sprintf("its ON %s %s rejects what the old ON %s %s let through", a.on, actionName(a.new), a.on, actionName(a.old))
		default:
			return fmt.Sprintf("its ON %s %s may fail where the old ON %s %s did not", a.on, actionName(a.new), a.on, actionName(a.old))
		}
	}
	return ""
}

// referencedColumns are the columns foreign key k references: as written,
// or the referenced table's primary key.
func (c *Context) referencedColumns(k key) []string {
	if cols := schema.Names(k.fk.PkAttrs); len(cols) > 0 {
		return cols
	}
	if t := c.Catalog.Tables[k.refs]; t != nil {
		for _, con := range t.Constraints {
			if con.Kind == schema.PrimaryKey {
				return con.Columns
			}
		}
	}
	return nil
}

// rejects reports whether a foreign key action rejects the delete or
// update of a referenced row (NO ACTION, RESTRICT).
func rejects(action string) bool { return action == "" || action == "a" || action == "r" }

func actionName(a string) string {
	switch a {
	case "r":
		return "RESTRICT"
	case "c":
		return "CASCADE"
	case "n":
		return "SET NULL"
	case "d":
		return "SET DEFAULT"
	}
	return "NO ACTION"
}

// exprSQL is an expression as SQL (PostgreSQL's deparser, so that
// formatting and locations do not matter), or "".
func exprSQL(n *pg.Node) string {
	if n == nil {
		return ""
	}
	sel := &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: &pg.SelectStmt{TargetList: []*pg.Node{
		{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: n}}}}}}}
	s := deparse(sel)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "SELECT "), ";")
	return s
}

// replacedKeyAfter reports whether table q still has, once the transaction
// commits, a unique key PostgreSQL takes for the one dropped (old, over
// cols): a plain, immediate unique key over the same columns, which ON
// CONFLICT (cols) infers as its arbiter and which keeps one row per key.
// When a key over the same columns is there but is not that, why says so.
func (c *Context) replacedKeyAfter(q schema.QName, old string, cols []string) (ok bool, why string) {
	if len(cols) == 0 {
		return false, ""
	}
	for _, k := range keysOf(c.AfterTransaction(), q, false) {
		if k.kind != schema.Unique && k.kind != schema.PrimaryKey || k.cols == nil || !sameSet(k.cols, cols) {
			continue
		}
		if k.name == old && !k.index && k.deferral == 0 && k.where == "" {
			return true, "" // the same key again
		}
		switch {
		case k.where != "":
			why = fmt.Sprintf("its replacement %s is partial (WHERE %s): ON CONFLICT without that predicate finds no arbiter", k, k.where)
		case k.deferral > 0:
			why = fmt.Sprintf("its replacement %s is DEFERRABLE, which ON CONFLICT cannot use as an arbiter", k)
		default:
			return true, ""
		}
	}
	return false, why
}
