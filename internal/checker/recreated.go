package checker

import (
	"fmt"
	"slices"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

// An object dropped (or renamed away) and created again under its name in
// the same transaction is judged by what differs between the one the
// transaction found and the one it leaves: the previous release never sees
// the name missing, only the new definition.

// replacement compares object q of kind (as the drop and rename rules name
// kinds) before the transaction with the object of that name and kind
// after it. exists is false when the transaction does not leave one; known
// is false when the two cannot be compared; diff says what the previous
// release loses ("" for nothing).
func (c *Context) replacement(kind string, q schema.QName) (exists bool, diff string, known bool) {
	before, after := c.BeforeTransaction(), c.AfterTransaction()
	switch kind {
	case "view":
		b, a := before.View(q), after.Views[q]
		if a == nil {
			return false, "", false
		}
		if b == nil || b.Columns == nil || a.Columns == nil {
			return true, "", false
		}
		return true, readLoss(lostColumns(b.Columns, a.Columns)), true
	case "materialized view":
		b, a := before.Table(q), after.Tables[q]
		if a == nil || a.Kind != schema.MaterializedView {
			return false, "", false
		}
		if b == nil || b.ViewColumns == nil || a.ViewColumns == nil {
			return true, "", false
		}
		return true, readLoss(lostColumns(b.ViewColumns, a.ViewColumns)), true
	case "type":
		b, a := before.Type(q), after.Types[q]
		if a == nil {
			return false, "", false
		}
		if b == nil {
			return true, "", false
		}
		diff, known := typeDiff(b, a)
		if diff != "" {
			diff += ", which the previous release may still rely on"
		}
		return true, diff, known
	case "sequence":
		if after.Sequences[q] == nil {
			return false, "", false
		}
		if c.LaterInTransaction(func(n *pg.Node) bool { return setsSequence(c, n, q) }) {
			return true, "", true // setval() puts its value back
		}
		return true, "losing its current value: nextval() starts again from its START value, and new keys collide with existing ones (setval() in the same transaction puts the value back)", true
	}
	return false, "", false
}

// readLoss is a view's loss, and what it does to the previous release.
func readLoss(lost string) string {
	if lost == "" {
		return ""
	}
	return lost + ", which the previous release may still read"
}

// lostColumns says which of a view's columns its replacement lacks.
func lostColumns(before, after []string) string {
	var lost []string
	for _, col := range before {
		if !slices.Contains(after, col) {
			lost = append(lost, col)
		}
	}
	if len(lost) == 0 {
		return ""
	}
	return fmt.Sprintf("without %s %s", plural(len(lost), "column"), strings.Join(lost, ", "))
}

// typeDiff says what a user-defined type's replacement loses: enum labels,
// composite attributes (or their types), a domain's base type, or a domain
// constraint it adds. known is false when the definitions are not both
// known.
func typeDiff(b, a *schema.Type) (diff string, known bool) {
	if b.Kind != a.Kind {
		return fmt.Sprintf("as a %s, no longer a %s", typeKindName(a.Kind), typeKindName(b.Kind)), true
	}
	switch b.Kind {
	case schema.EnumType:
		var lost []string
		for _, v := range b.Values {
			if !slices.Contains(a.Values, v) {
				lost = append(lost, stringLiteral(v))
			}
		}
		if len(lost) == 0 {
			return "", true
		}
		return fmt.Sprintf("without %s %s", plural(len(lost), "label"), strings.Join(lost, ", ")), true
	case schema.CompositeType:
		if b.Attrs == nil || a.Attrs == nil {
			return "", false
		}
		var lost []string
		for _, ba := range b.Attrs {
			i := slices.IndexFunc(a.Attrs, func(x schema.Attr) bool { return x.Name == ba.Name })
			switch {
			case i < 0:
				lost = append(lost, "without attribute "+ba.Name)
			case !a.Attrs[i].Type.Equal(ba.Type):
				lost = append(lost, fmt.Sprintf("with attribute %s as %s, not %s", ba.Name, a.Attrs[i].Type, ba.Type))
			}
		}
		return strings.Join(lost, ", "), true
	case schema.DomainType:
		if b.Domain == nil || a.Domain == nil {
			return "", false
		}
		var lost []string
		if !a.Domain.Base.Equal(b.Domain.Base) {
			lost = append(lost, fmt.Sprintf("over %s, not %s", a.Domain.Base, b.Domain.Base))
		}
		if a.Domain.NotNull && !b.Domain.NotNull {
			lost = append(lost, "NOT NULL")
		}
		for _, k := range a.Domain.Checks {
			sql := exprSQL(k.Expr)
			if !slices.ContainsFunc(b.Domain.Checks, func(o schema.DomainCheck) bool { return sql != "" && exprSQL(o.Expr) == sql }) {
				lost = append(lost, fmt.Sprintf("with the new check (%s)", sql))
			}
		}
		return strings.Join(lost, ", "), true
	}
	return "", false
}

func typeKindName(k schema.TypeKind) string {
	switch k {
	case schema.EnumType:
		return "enum"
	case schema.DomainType:
		return "domain"
	case schema.CompositeType:
		return "composite type"
	case schema.RangeType:
		return "range type"
	}
	return "type"
}

// setsSequence reports whether n is SELECT setval('q', ...).
func setsSequence(c *Context, n *pg.Node, q schema.QName) bool {
	sel := n.GetSelectStmt()
	if sel == nil {
		return false
	}
	found := false
	for _, t := range sel.TargetList {
		pg.Walk(t, func(x *pg.Node) {
			fc := x.GetFuncCall()
			if fc == nil || len(fc.Args) == 0 {
				return
			}
			if names := schema.Names(fc.Funcname); len(names) == 0 || names[len(names)-1] != "setval" {
				return
			}
			arg := stripCast(fc.Args[0]).GetAConst().GetSval().GetSval()
			if arg != "" && c.Catalog.ResolveNames(strings.Split(arg, ".")) == q {
				found = true
			}
		})
	}
	return found
}

// namedInTransaction reports whether the transaction gave name q to the
// object of kind it is about to drop (ALTER TYPE mood RENAME TO mood_old):
// the catalog has it now, and had nothing of that kind and name when the
// transaction began. An object the catalog never knew is not: it counts as
// production's, the conservative answer.
func (c *Context) namedInTransaction(kind string, q schema.QName) bool {
	b, cur := c.BeforeTransaction(), c.Catalog
	switch kind {
	case "view":
		return cur.Views[q] != nil && b.View(q) == nil
	case "materialized view":
		return cur.Tables[q] != nil && b.Table(q) == nil
	case "type":
		return cur.Types[q] != nil && b.Type(q) == nil
	case "sequence":
		return cur.Sequences[q] != nil && b.Sequence(q) == nil
	case "function":
		return cur.Functions[q] != nil && b.Function(q) == nil
	}
	return false
}

// cascadeLosses lists what DROP ... CASCADE of object q (of kind) takes
// with it that existed before the change and that the transaction does not
// create again: the columns of a type, the views that read a view (but
// not those the statement drops by name too).
func (c *Context) cascadeLosses(kind string, q schema.QName, named map[schema.QName]bool) []string {
	var out []string
	after := c.AfterTransaction()
	switch kind {
	case "type":
		for _, tc := range c.Catalog.ColumnsOfType(q) {
			if c.ExistingColumn(tc.Table, tc.Column) {
				out = append(out, fmt.Sprintf("column %s.%s", tc.Table, tc.Column))
			}
		}
	case "view", "materialized view":
		for _, v := range c.Catalog.ViewsReading(q) {
			if c.Existing(v) && after.Views[v] == nil && !named[v] {
				out = append(out, "view "+v.String())
			}
		}
	}
	return out
}

// sameTypeAgain reports whether ALTER COLUMN ... TYPE leaves column col of
// table q, once the transaction commits, with the type name it had when
// the transaction began, where the type of that name then accepts every
// value the old one did: the usual ways to change an enum (rename the old
// type away, create the new one, convert the columns, drop the old one; or
// create it under a temporary name, convert, and rename it into place)
// when it only gains labels.
func (c *Context) sameTypeAgain(q schema.QName, col string) bool {
	if !c.InTransaction() {
		return false
	}
	bt, at := c.BeforeTransaction().Table(q), c.AfterTransaction().Tables[q]
	if bt == nil || at == nil {
		return false
	}
	bc, ac := bt.Column(col), at.Column(col)
	if bc == nil || ac == nil || bc.Type.Name != ac.Type.Name || bc.Type.Array != ac.Type.Array {
		return false
	}
	tq := c.Catalog.ResolveNames(strings.Split(bc.Type.Name, "."))
	if c.BeforeTransaction().Type(tq) == nil {
		return false
	}
	exists, diff, known := c.replacement("type", tq)
	return exists && known && diff == ""
}
