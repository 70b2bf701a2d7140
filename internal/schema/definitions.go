package schema

import (
	"sort"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// The definitions of types and views, kept so that an object dropped (or
// renamed away) and created again under its name can be compared with what
// it was: the previous release only notices what differs.

// Attr is an attribute of a composite type.
type Attr struct {
	Name string
	Type Type
}

// Domain is a domain's definition.
type Domain struct {
	Base    Type
	NotNull bool
	Checks  []DomainCheck
}

// DomainCheck is a CHECK constraint of a domain; Name is "" when the
// catalog does not know the name PostgreSQL gave it.
type DomainCheck struct {
	Name string
	Expr *pg.Node
}

// compositeAttrs reads the attributes of CREATE TYPE ... AS (...).
func compositeAttrs(s *pg.CompositeTypeStmt) []Attr {
	out := []Attr{} // known, even when empty
	for _, e := range s.Coldeflist {
		if def := e.GetColumnDef(); def != nil {
			out = append(out, Attr{Name: def.Colname, Type: TypeOf(def.TypeName).Storage()})
		}
	}
	return out
}

// domainOf reads CREATE DOMAIN.
func domainOf(s *pg.CreateDomainStmt) *Domain {
	d := &Domain{Base: TypeOf(s.TypeName).Storage()}
	for _, n := range s.Constraints {
		con := n.GetConstraint()
		switch {
		case con == nil:
		case con.Contype == pg.ConstrType_CONSTR_NOTNULL:
			d.NotNull = true
		case con.Contype == pg.ConstrType_CONSTR_NULL:
			d.NotNull = false
		case con.Contype == pg.ConstrType_CONSTR_CHECK:
			d.Checks = append(d.Checks, DomainCheck{Name: con.Conname, Expr: con.RawExpr})
		}
	}
	return d
}

// alterDomain replays ALTER DOMAIN. A change the catalog does not follow
// (a constraint dropped by a name it does not know) leaves the definition
// unknown.
func (c *Catalog) alterDomain(s *pg.AlterDomainStmt) {
	t := c.Types[c.resolveNames(Names(s.TypeName), c.hasType)]
	if t == nil || t.Domain == nil {
		return
	}
	d := *t.Domain // copied on write: clones share nothing they change
	d.Checks = append([]DomainCheck(nil), d.Checks...)
	switch s.Subtype {
	case "N":
		d.NotNull = false
	case "O":
		d.NotNull = true
	case "C":
		if con := s.Def.GetConstraint(); con != nil {
			switch con.Contype {
			case pg.ConstrType_CONSTR_CHECK:
				d.Checks = append(d.Checks, DomainCheck{Name: con.Conname, Expr: con.RawExpr})
			case pg.ConstrType_CONSTR_NOTNULL:
				d.NotNull = true
			}
		}
	case "X":
		found := false
		for i, k := range d.Checks {
			if k.Name == s.Name {
				d.Checks = append(d.Checks[:i:i], d.Checks[i+1:]...)
				found = true
				break
			}
		}
		if !found && !s.MissingOk {
			t.Domain = nil // a constraint named as PostgreSQL named it: unknown
			return
		}
	}
	t.Domain = &d
}

// alterComposite replays ALTER TYPE ... ADD/DROP/ALTER ATTRIBUTE (an
// ALTER TABLE of a composite type).
func (c *Catalog) alterComposite(s *pg.AlterTableStmt) {
	t := c.Types[c.ResolveTypeOf(s.Relation)]
	if t == nil || t.Kind != CompositeType || t.Attrs == nil {
		return
	}
	attrs := append([]Attr(nil), t.Attrs...) // copied on write
	for _, n := range s.Cmds {
		cmd := n.GetAlterTableCmd()
		if cmd == nil {
			continue
		}
		switch cmd.Subtype {
		case pg.AlterTableType_AT_AddColumn:
			if def := cmd.Def.GetColumnDef(); def != nil {
				attrs = append(attrs, Attr{Name: def.Colname, Type: TypeOf(def.TypeName).Storage()})
			}
		case pg.AlterTableType_AT_DropColumn:
			for i, a := range attrs {
				if a.Name == cmd.Name {
					attrs = append(attrs[:i:i], attrs[i+1:]...)
					break
				}
			}
		case pg.AlterTableType_AT_AlterColumnType:
			if def := cmd.Def.GetColumnDef(); def != nil {
				for i := range attrs {
					if attrs[i].Name == cmd.Name {
						attrs[i].Type = TypeOf(def.TypeName).Storage()
					}
				}
			}
		}
	}
	t.Attrs = attrs
}

// dropTypeCascade drops the columns of type q (or arrays of it), as DROP
// TYPE ... CASCADE does.
func (c *Catalog) dropTypeCascade(q QName) {
	for _, tq := range c.ColumnsOfType(q) {
		if t := c.Tables[tq.Table]; t != nil {
			c.dropColumn(t, tq.Column)
		}
	}
}

// TableColumn names a column of a table.
type TableColumn struct {
	Table  QName
	Column string
}

// ColumnsOfType lists the table columns whose type is the user-defined
// type q (or an array of it).
func (c *Catalog) ColumnsOfType(q QName) []TableColumn {
	var out []TableColumn
	bare := c.resolveNames([]string{q.Name}, c.hasType) == q // unqualified, the name finds q
	for tq, t := range c.Tables {
		for _, col := range t.Columns {
			if col.Type.Name == q.Schema+"."+q.Name || col.Type.Name == q.Name && bare {
				out = append(out, TableColumn{Table: tq, Column: col.Name})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Table != out[j].Table {
			return out[i].Table.String() < out[j].Table.String()
		}
		return out[i].Column < out[j].Column
	})
	return out
}
