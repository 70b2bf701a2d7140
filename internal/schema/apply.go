package schema

import (
	"fmt"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// maxIdentifier is PostgreSQL's identifier length limit (NAMEDATALEN-1).
const maxIdentifier = 63

// Resolve returns the qualified name of a relation reference. An
// unqualified name is looked up in each schema of the session's search path
// in turn (see SearchPath); when no relation of the catalog has it, it is
// qualified with the schema a CREATE would put it in.
func (c *Catalog) Resolve(rv *pg.RangeVar) QName {
	if rv == nil {
		return QName{}
	}
	return c.resolve(rv.Schemaname, rv.Relname, c.hasRelation)
}

// ResolveNames returns the qualified name of a dotted name list, looking an
// unqualified name up along the search path like Resolve (for objects of
// any kind).
func (c *Catalog) ResolveNames(names []string) QName {
	return c.resolveNames(names, c.hasAny)
}

// ResolveType is ResolveNames for a type or domain: an unqualified name is
// the first type of that name along the search path, as PostgreSQL finds
// it, whatever other objects share the name.
func (c *Catalog) ResolveType(names []string) QName {
	return c.resolveNames(names, c.hasType)
}

// ResolveTypeOf is Resolve for the composite type ALTER TYPE ... ATTRIBUTE
// names where a relation would be.
func (c *Catalog) ResolveTypeOf(rv *pg.RangeVar) QName {
	return c.resolve(rv.GetSchemaname(), rv.GetRelname(), c.hasType)
}

// Apply replays one statement. origin says whether it belongs to the change
// under review and where it is. Statements that do not change the schema
// are ignored; those whose effect is unknown add a Gap.
func (c *Catalog) Apply(node *pg.Node, origin Origin) {
	switch n := node.GetNode().(type) {
	case *pg.Node_CreateStmt:
		c.createTable(n.CreateStmt, origin)
	case *pg.Node_CreateTableAsStmt:
		s := n.CreateTableAsStmt
		if s.Into == nil || s.Into.Rel == nil {
			return
		}
		q := c.creationName(s.Into.Rel)
		if c.Tables[q] != nil {
			return // PostgreSQL skips it (IF NOT EXISTS) or fails: the table stays.
		}
		kind := OrdinaryTable
		if s.Objtype == pg.ObjectType_OBJECT_MATVIEW {
			kind = MaterializedView
		}
		t := &Table{Name: q, Kind: kind, Constraints: map[string]*Constraint{}, Origin: origin, Incomplete: true}
		if kind == MaterializedView {
			t.ViewColumns = c.queryColumns(s.Into.ColNames, s.Query)
		}
		if s.Into.Rel.Relpersistence == "t" {
			t.Temp, t.Origin.New = true, true
		}
		c.Tables[q] = t
	case *pg.Node_CreateForeignTableStmt:
		if s := n.CreateForeignTableStmt.BaseStmt; s != nil {
			c.createTable(s, origin)
			if t := c.Tables[c.Resolve(s.Relation)]; t != nil {
				t.Kind = ForeignTable
			}
		}
	case *pg.Node_AlterTableStmt:
		c.alterTable(n.AlterTableStmt, origin)
	case *pg.Node_RenameStmt:
		c.rename(n.RenameStmt)
	case *pg.Node_AlterObjectSchemaStmt:
		c.setSchema(n.AlterObjectSchemaStmt)
	case *pg.Node_DropStmt:
		c.drop(n.DropStmt)
	case *pg.Node_IndexStmt:
		c.createIndex(n.IndexStmt, origin)
	case *pg.Node_ViewStmt:
		s := n.ViewStmt
		q := c.creationName(s.View)
		if old := c.Views[q]; old != nil {
			if s.Replace {
				old.Reads, old.Columns = c.reads(s.Query), c.queryColumns(s.Aliases, s.Query)
			}
			return // a plain CREATE of an existing view fails; its origin stays.
		}
		c.Views[q] = &View{Name: q, Reads: c.reads(s.Query), Columns: c.queryColumns(s.Aliases, s.Query), Origin: origin}
	case *pg.Node_CreateEnumStmt:
		q := c.creationNames(Names(n.CreateEnumStmt.TypeName))
		if c.Types[q] != nil {
			return
		}
		t := &Type{Name: q.String(), Kind: EnumType, Origin: origin}
		for _, v := range n.CreateEnumStmt.Vals {
			if s := v.GetString_(); s != nil {
				t.Values = append(t.Values, s.Sval)
			}
		}
		c.Types[q] = t
	case *pg.Node_AlterEnumStmt:
		c.alterEnum(n.AlterEnumStmt)
	case *pg.Node_CreateDomainStmt:
		if q := c.creationNames(Names(n.CreateDomainStmt.Domainname)); c.Types[q] == nil {
			c.Types[q] = &Type{Name: q.String(), Kind: DomainType, Origin: origin, Domain: domainOf(n.CreateDomainStmt)}
		}
	case *pg.Node_AlterDomainStmt:
		c.alterDomain(n.AlterDomainStmt)
	case *pg.Node_CompositeTypeStmt:
		if q := c.creationName(n.CompositeTypeStmt.Typevar); c.Types[q] == nil {
			c.Types[q] = &Type{Name: q.String(), Kind: CompositeType, Origin: origin, Attrs: compositeAttrs(n.CompositeTypeStmt)}
		}
	case *pg.Node_CreateRangeStmt:
		if q := c.creationNames(Names(n.CreateRangeStmt.TypeName)); c.Types[q] == nil {
			c.Types[q] = &Type{Name: q.String(), Kind: RangeType, Origin: origin}
		}
	case *pg.Node_CreateSeqStmt:
		q := c.creationName(n.CreateSeqStmt.Sequence)
		if c.Sequences[q] == nil {
			seq := &Object{Name: q, Origin: origin}
			c.Sequences[q] = seq
			c.sequenceOwnedBy(seq, n.CreateSeqStmt.Options)
		}
	case *pg.Node_AlterSeqStmt:
		if seq := c.Sequences[c.Resolve(n.AlterSeqStmt.Sequence)]; seq != nil {
			c.sequenceOwnedBy(seq, n.AlterSeqStmt.Options)
		}
	case *pg.Node_CreateFunctionStmt:
		q := c.creationNames(Names(n.CreateFunctionStmt.Funcname))
		if c.Functions[q] == nil {
			c.Functions[q] = &Object{Name: q, Origin: origin}
		}
	case *pg.Node_CreateSchemaStmt:
		name := n.CreateSchemaStmt.Schemaname
		if c.Schemas[name] == nil {
			c.Schemas[name] = &Object{Name: QName{Name: name}, Origin: origin}
		}
		if len(n.CreateSchemaStmt.SchemaElts) > 0 && name != "" {
			// The elements are created in the new schema, which PostgreSQL
			// puts first on the search path while it runs them.
			saved := c.searchPath
			c.searchPath = append([]string{name}, c.SearchPath()...)
			for _, e := range n.CreateSchemaStmt.SchemaElts {
				c.Apply(e, origin)
			}
			c.searchPath = saved
		}
	case *pg.Node_CreateTrigStmt:
		s := n.CreateTrigStmt
		key := c.Resolve(s.Relation).String() + "." + s.Trigname
		if c.Triggers[key] == nil || s.Replace {
			c.Triggers[key] = &Object{Name: QName{Name: s.Trigname}, Origin: origin}
		}
	case *pg.Node_CreateExtensionStmt:
		key := "extension " + n.CreateExtensionStmt.Extname
		if c.Other[key] == nil {
			c.Other[key] = &Object{Name: QName{Name: n.CreateExtensionStmt.Extname}, Origin: origin}
		}
	case *pg.Node_VariableSetStmt:
		s := n.VariableSetStmt
		if (s.Name == "search_path" || s.Kind == pg.VariableSetKind_VAR_RESET_ALL) && !s.IsLocal {
			c.setSearchPath(s)
		}
	case *pg.Node_DoStmt:
		body, err := ParseDo(n.DoStmt)
		if err != nil {
			c.gap(origin, "DO block: "+err.Error())
			return
		}
		for _, s := range body.Stmts {
			c.Apply(s.Node, origin)
		}
		if len(body.Dynamic) > 0 {
			c.gap(origin, fmt.Sprintf("DO block runs dynamic SQL (EXECUTE, line %d of its body): its effect on the schema is unknown", body.Dynamic[0]))
		}
	case *pg.Node_CallStmt:
		c.gap(origin, "CALL of a procedure: its effect on the schema is unknown")
	case *pg.Node_SelectStmt:
		c.setConfigSearchPath(n.SelectStmt, origin)
		if callsFunction(n.SelectStmt) {
			c.gap(origin, "SELECT calls a function, whose effect on the schema is unknown")
		}
	}
}

func (c *Catalog) gap(origin Origin, reason string) {
	c.Gaps = append(c.Gaps, Gap{Where: origin.Where(), Reason: reason})
}

// ObjectNames returns the dotted name of a DROP/RENAME object node: a List
// of Strings, a String, a TypeName or an ObjectWithArgs.
func ObjectNames(n *pg.Node) []string {
	switch o := n.GetNode().(type) {
	case *pg.Node_List:
		return Names(o.List.Items)
	case *pg.Node_String_:
		return []string{o.String_.Sval}
	case *pg.Node_TypeName:
		return Names(o.TypeName.Names)
	case *pg.Node_ObjectWithArgs:
		return Names(o.ObjectWithArgs.Objname)
	}
	return nil
}

// reads returns the relations a query reads, excluding its own CTE names.
func (c *Catalog) reads(query *pg.Node) []QName {
	var out []QName
	seen := map[QName]bool{}
	ctes := map[string]bool{}
	pg.Walk(query, func(n *pg.Node) {
		if w := n.GetWithClause(); w != nil {
			for _, cte := range w.Ctes {
				if ce := cte.GetCommonTableExpr(); ce != nil {
					ctes[ce.Ctename] = true
				}
			}
		}
		if rv := n.GetRangeVar(); rv != nil {
			if rv.Schemaname == "" && ctes[rv.Relname] {
				return
			}
			q := c.Resolve(rv)
			if !seen[q] {
				seen[q] = true
				out = append(out, q)
			}
		}
	})
	return out
}

// callsFunction reports whether a SELECT without FROM calls a function
// that is not a known built-in (SELECT my_migration_fn()), the pattern of
// migrations that run DDL from a function.
func callsFunction(s *pg.SelectStmt) bool { return CalledFunction(s) != "" }

func constString(n *pg.Node) string {
	if c := n.GetAConst(); c != nil {
		if s := c.GetSval(); s != nil {
			return s.Sval
		}
	}
	return ""
}

// soleColumn returns the column an expression reads when it reads exactly
// one (however often), else "".
func soleColumn(expr *pg.Node) string {
	var one string
	many := false
	pg.Walk(expr, func(n *pg.Node) {
		ref := n.GetColumnRef()
		if ref == nil || len(ref.Fields) == 0 {
			return
		}
		name := ref.Fields[len(ref.Fields)-1].GetString_().GetSval()
		switch {
		case name == "":
			many = true // a * or an unnamed field: unknown
		case one == "":
			one = name
		case one != name:
			many = true
		}
	})
	if many {
		return ""
	}
	return one
}
