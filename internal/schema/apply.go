package schema

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"
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

func (c *Catalog) createTable(s *pg.CreateStmt, origin Origin) {
	if s.Relation == nil {
		return
	}
	q := c.creationName(s.Relation)
	if c.Tables[q] != nil {
		// PostgreSQL skips it (IF NOT EXISTS) or fails ("relation already
		// exists"); either way the table, and where it came from, stays. A
		// guarded CREATE inside a DO block reaches here too.
		return
	}
	t := &Table{Name: q, Constraints: map[string]*Constraint{}, Origin: origin, Partitioned: s.Partspec != nil}
	if s.Relation.Relpersistence == "t" {
		// Temporary tables never reach production; the session's end drops them.
		t.Temp, t.Origin.New = true, true
	}
	if len(s.InhRelations) > 0 || s.OfTypename != nil {
		t.Incomplete = true
	}
	if s.Partbound != nil {
		t.IndexesUnknown = true // the parent's indexes, under generated names
	}
	c.Tables[q] = t
	for _, e := range s.TableElts {
		switch el := e.GetNode().(type) {
		case *pg.Node_ColumnDef:
			c.addColumn(t, el.ColumnDef, origin)
		case *pg.Node_Constraint:
			c.addConstraint(t, el.Constraint, nil, origin)
		case *pg.Node_TableLikeClause:
			t.Incomplete, t.IndexesUnknown = true, true
		}
	}
	for _, e := range s.Constraints {
		if con := e.GetConstraint(); con != nil {
			c.addConstraint(t, con, nil, origin)
		}
	}
}

func (c *Catalog) addColumn(t *Table, def *pg.ColumnDef, origin Origin) *Column {
	typ := TypeOf(def.TypeName)
	col := &Column{Name: def.Colname, Type: typ.Storage(), NotNull: def.IsNotNull, Origin: origin, TypeName: def.TypeName, Default: def.RawDefault, Collate: def.CollClause}
	if typ.IsSerial() {
		col.HasDefault, col.NotNull = true, true
	}
	if def.RawDefault != nil {
		col.HasDefault = true
	}
	if old := t.Column(def.Colname); old != nil {
		// Adding a column that exists fails (or is skipped with IF NOT
		// EXISTS): the column keeps its definition and origin.
		return old
	}
	t.Columns = append(t.Columns, col)
	if typ.IsSerial() {
		c.addOwnedSequence(t, col, nil, col.Origin)
	}
	for _, n := range def.Constraints {
		con := n.GetConstraint()
		if con == nil {
			continue
		}
		switch con.Contype {
		case pg.ConstrType_CONSTR_NOTNULL:
			col.NotNull = true
		case pg.ConstrType_CONSTR_NULL:
			col.NotNull = false
		case pg.ConstrType_CONSTR_DEFAULT:
			col.HasDefault, col.Default = true, con.RawExpr
		case pg.ConstrType_CONSTR_IDENTITY:
			if !col.Identity {
				c.addOwnedSequence(t, col, con.Options, col.Origin)
			}
			col.Identity, col.NotNull, col.HasDefault = true, true, true
		case pg.ConstrType_CONSTR_GENERATED:
			col.Generated, col.HasDefault = true, true
		default:
			c.addConstraint(t, con, col, origin)
		}
	}
	return col
}

// addConstraint records a table constraint, or a column constraint of col.
func (c *Catalog) addConstraint(t *Table, con *pg.Constraint, col *Column, origin Origin) *Constraint {
	var kind ConstraintKind
	switch con.Contype {
	case pg.ConstrType_CONSTR_CHECK:
		kind = Check
	case pg.ConstrType_CONSTR_UNIQUE:
		kind = Unique
	case pg.ConstrType_CONSTR_PRIMARY:
		kind = PrimaryKey
	case pg.ConstrType_CONSTR_FOREIGN:
		kind = ForeignKey
	case pg.ConstrType_CONSTR_EXCLUSION:
		kind = Exclusion
	case pg.ConstrType_CONSTR_NOTNULL:
		if col != nil {
			col.NotNull = true
		}
		return nil
	default:
		return nil
	}
	k := &Constraint{Kind: kind, Validated: !con.SkipValidation, Origin: origin, Def: con}
	switch {
	case col != nil:
		k.Columns = []string{col.Name}
	case kind == ForeignKey:
		k.Columns = Names(con.FkAttrs)
	default:
		k.Columns = Names(con.Keys)
	}
	if kind == ForeignKey {
		k.Refs = c.Resolve(con.Pktable)
	}
	if kind == Check {
		k.NotNullOf = notNullColumn(con.RawExpr)
		if col == nil && len(k.Columns) == 0 && k.NotNullOf != "" {
			k.Columns = []string{k.NotNullOf}
		}
	}
	k.Name = con.Conname
	if k.Name == "" {
		cols := k.Columns
		if kind == Check && len(cols) == 0 {
			// PostgreSQL names a table CHECK after the one column its
			// expression reads (users_id_check), else after the table.
			if one := soleColumn(con.RawExpr); one != "" {
				cols = []string{one}
			}
		}
		k.Name = c.constraintName(t, kind, cols)
	}
	t.Constraints[k.Name] = k
	if kind == PrimaryKey {
		for _, name := range k.Columns {
			if cc := t.Column(name); cc != nil {
				cc.NotNull = true
			}
		}
	}
	if kind == Unique || kind == PrimaryKey || kind == Exclusion {
		ixName := k.Name
		if con.Indexname != "" { // ADD CONSTRAINT ... USING INDEX renames the index
			delete(c.Indexes, QName{Schema: t.Name.Schema, Name: con.Indexname})
		}
		c.Indexes[QName{Schema: t.Name.Schema, Name: ixName}] = &Index{
			Name: QName{Schema: t.Name.Schema, Name: ixName}, Table: t.Name,
			Unique: kind != Exclusion, Primary: kind == PrimaryKey, Columns: k.Columns, Origin: origin,
		}
	}
	return k
}

// ConstraintName is the name PostgreSQL gives an unnamed constraint of
// kind on cols of table: a fix that adds a constraint names it, so that
// its VALIDATE CONSTRAINT step can too.
func (c *Catalog) ConstraintName(table QName, kind ConstraintKind, cols []string) string {
	t := c.Tables[table]
	if t == nil {
		t = &Table{Name: table}
	}
	return c.constraintName(t, kind, cols)
}

// constraintName picks the name PostgreSQL would give an unnamed constraint.
func (c *Catalog) constraintName(t *Table, kind ConstraintKind, cols []string) string {
	var suffix string
	switch kind {
	case Check:
		suffix = "check"
	case Unique:
		suffix = "key"
	case PrimaryKey:
		return truncate(t.Name.Name + "_pkey")
	case ForeignKey:
		suffix = "fkey"
	case Exclusion:
		suffix = "excl"
	}
	parts := append([]string{t.Name.Name}, cols...)
	if kind == ForeignKey || kind == Check || kind == Unique || kind == Exclusion {
		if len(cols) > 0 && kind != Unique && kind != Exclusion {
			parts = []string{t.Name.Name, cols[0]}
		}
	}
	base := truncate(strings.Join(parts, "_") + "_" + suffix)
	name := base
	for i := 1; t.Constraints[name] != nil; i++ {
		name = truncate(base + fmt.Sprint(i))
	}
	return name
}

func truncate(s string) string {
	if len(s) > maxIdentifier {
		return s[:maxIdentifier]
	}
	return s
}

// notNullColumn returns col for the expression "col IS NOT NULL".
func notNullColumn(expr *pg.Node) string {
	nt := expr.GetNullTest()
	if nt == nil || nt.Nulltesttype != pg.NullTestType_IS_NOT_NULL {
		return ""
	}
	if ref := nt.Arg.GetColumnRef(); ref != nil && len(ref.Fields) == 1 {
		return Names(ref.Fields)[0]
	}
	return ""
}

func (c *Catalog) alterTable(s *pg.AlterTableStmt, origin Origin) {
	if s.Objtype == pg.ObjectType_OBJECT_TYPE {
		c.alterComposite(s)
		return
	}
	q := c.Resolve(s.Relation)
	t := c.Tables[q]
	if t == nil {
		if s.Objtype != pg.ObjectType_OBJECT_TABLE && s.Objtype != pg.ObjectType_OBJECT_FOREIGN_TABLE {
			return
		}
		if s.MissingOk {
			return
		}
		// A table the history never created: remember it, incomplete.
		t = &Table{Name: q, Constraints: map[string]*Constraint{}, Origin: Origin{Path: origin.Path, Line: origin.Line}, Incomplete: true, IndexesUnknown: true}
		c.Tables[q] = t
	}
	for _, n := range s.Cmds {
		cmd := n.GetAlterTableCmd()
		if cmd == nil {
			continue
		}
		col := t.Column(cmd.Name)
		switch cmd.Subtype {
		case pg.AlterTableType_AT_AddColumn:
			if def := cmd.Def.GetColumnDef(); def != nil {
				if cmd.MissingOk && t.Column(def.Colname) != nil {
					continue
				}
				c.addColumn(t, def, origin)
			}
		case pg.AlterTableType_AT_DropColumn:
			c.dropColumn(t, cmd.Name)
		case pg.AlterTableType_AT_AlterColumnType:
			if def := cmd.Def.GetColumnDef(); def != nil && col != nil {
				col.Type, col.TypeName = TypeOf(def.TypeName).Storage(), def.TypeName
				if def.CollClause != nil {
					col.Collate = def.CollClause
				}
			}
		case pg.AlterTableType_AT_SetNotNull:
			if col != nil {
				col.NotNull = true
			}
		case pg.AlterTableType_AT_DropNotNull:
			if col != nil {
				col.NotNull = false
			}
		case pg.AlterTableType_AT_ColumnDefault:
			if col != nil {
				col.HasDefault, col.Default = cmd.Def != nil, cmd.Def
			}
		case pg.AlterTableType_AT_AddIdentity:
			if col != nil {
				if !col.Identity {
					var opts []*pg.Node
					if con := cmd.Def.GetConstraint(); con != nil {
						opts = con.Options
					}
					c.addOwnedSequence(t, col, opts, origin)
				}
				col.Identity, col.HasDefault = true, true
			}
		case pg.AlterTableType_AT_DropIdentity:
			if col != nil {
				if col.Identity {
					c.dropOwnedSequences(t.Name, col.Name) // the identity's sequence goes with it
				}
				col.Identity, col.HasDefault = false, false
			}
		case pg.AlterTableType_AT_DropExpression:
			if col != nil {
				col.Generated = false
			}
		case pg.AlterTableType_AT_AddConstraint:
			if con := cmd.Def.GetConstraint(); con != nil {
				c.addConstraint(t, con, nil, origin)
			}
		case pg.AlterTableType_AT_ValidateConstraint:
			if con := t.Constraints[cmd.Name]; con != nil {
				con.Validated = true
			}
		case pg.AlterTableType_AT_DropConstraint:
			if con := t.Constraints[cmd.Name]; con != nil {
				delete(t.Constraints, cmd.Name)
				if con.Kind == Unique || con.Kind == PrimaryKey || con.Kind == Exclusion {
					delete(c.Indexes, QName{Schema: t.Name.Schema, Name: cmd.Name})
				}
			}
		case pg.AlterTableType_AT_AttachPartition:
			if pc := cmd.Def.GetPartitionCmd(); pc != nil {
				if part := c.Tables[c.Resolve(pc.Name)]; part != nil {
					// Partitions keep their own catalog entry, and get
					// the parent's indexes under generated names.
					part.IndexesUnknown = true
				}
			}
		}
	}
}

func (c *Catalog) dropColumn(t *Table, name string) {
	c.dropOwnedSequences(t.Name, name)
	for i, col := range t.Columns {
		if col.Name == name {
			t.Columns = append(t.Columns[:i:i], t.Columns[i+1:]...)
			break
		}
	}
	for k, con := range t.Constraints {
		for _, cn := range con.Columns {
			if cn == name {
				delete(t.Constraints, k)
				break
			}
		}
	}
	for k, ix := range c.Indexes {
		if ix.Table != t.Name {
			continue
		}
		for _, cn := range ix.Columns {
			if cn == name {
				delete(c.Indexes, k)
				break
			}
		}
	}
}

func (c *Catalog) createIndex(s *pg.IndexStmt, origin Origin) {
	tq := c.Resolve(s.Relation)
	var cols []string
	for _, p := range s.IndexParams {
		if el := p.GetIndexElem(); el != nil {
			if el.Name != "" {
				cols = append(cols, el.Name)
			} else {
				cols = append(cols, "expr")
			}
		}
	}
	name := s.Idxname
	if name == "" {
		name = truncate(tq.Name + "_" + strings.Join(cols, "_") + "_idx")
	}
	q := QName{Schema: tq.Schema, Name: name}
	if c.Indexes[q] != nil && s.IfNotExists {
		return
	}
	c.Indexes[q] = &Index{Name: q, Table: tq, Unique: s.Unique, Primary: s.Primary, Columns: cols, Origin: origin, Stmt: s}
}

func (c *Catalog) rename(s *pg.RenameStmt) {
	switch s.RenameType {
	case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_MATVIEW, pg.ObjectType_OBJECT_FOREIGN_TABLE,
		pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_INDEX, pg.ObjectType_OBJECT_SEQUENCE:
		// ALTER TABLE ... RENAME works on any relation (views, sequences),
		// and the others name the relation they rename: relations share
		// one namespace, so the name finds one of them.
		c.renameRelation(c.Resolve(s.Relation), s.Newname)
	case pg.ObjectType_OBJECT_COLUMN:
		if t := c.Tables[c.Resolve(s.Relation)]; t != nil {
			if col := t.Column(s.Subname); col != nil {
				col.Name = s.Newname
			}
			for _, con := range t.Constraints {
				replace(con.Columns, s.Subname, s.Newname)
				if con.NotNullOf == s.Subname {
					con.NotNullOf = s.Newname
				}
			}
			for _, ix := range c.IndexesOn(t.Name) {
				replace(ix.Columns, s.Subname, s.Newname)
			}
			for _, o := range c.Sequences {
				if o.Owner == t.Name && o.OwnerColumn == s.Subname {
					o.OwnerColumn = s.Newname
				}
			}
		}
	case pg.ObjectType_OBJECT_TABCONSTRAINT:
		if t := c.Tables[c.Resolve(s.Relation)]; t != nil {
			if con := t.Constraints[s.Subname]; con != nil {
				delete(t.Constraints, s.Subname)
				con.Name = s.Newname
				t.Constraints[s.Newname] = con
			}
		}
	case pg.ObjectType_OBJECT_TYPE, pg.ObjectType_OBJECT_DOMAIN:
		old := c.resolveNames(ObjectNames(s.Object), c.hasType)
		if t := c.Types[old]; t != nil {
			delete(c.Types, old)
			nq := QName{Schema: old.Schema, Name: s.Newname}
			t.Name = nq.String()
			c.Types[nq] = t
			// Columns of the type follow it: PostgreSQL refers to types by
			// oid, not by name.
			for _, tbl := range c.Tables {
				for _, col := range tbl.Columns {
					if col.Type.Name == old.String() {
						col.Type.Name = nq.String()
					}
				}
			}
		}
	case pg.ObjectType_OBJECT_ATTRIBUTE:
		if t := c.Types[c.resolve(s.Relation.GetSchemaname(), s.Relation.GetRelname(), c.hasType)]; t != nil && t.Attrs != nil {
			attrs := append([]Attr(nil), t.Attrs...)
			for i := range attrs {
				if attrs[i].Name == s.Subname {
					attrs[i].Name = s.Newname
				}
			}
			t.Attrs = attrs
		}
	case pg.ObjectType_OBJECT_SCHEMA:
		if o := c.Schemas[s.Subname]; o != nil {
			delete(c.Schemas, s.Subname)
			c.Schemas[s.Newname] = o
		}
		c.moveSchema(s.Subname, s.Newname)
	case pg.ObjectType_OBJECT_FUNCTION, pg.ObjectType_OBJECT_PROCEDURE, pg.ObjectType_OBJECT_ROUTINE:
		old := c.resolveNames(ObjectNames(s.Object), c.hasFunction)
		if o := c.Functions[old]; o != nil {
			delete(c.Functions, old)
			o.Name = QName{Schema: old.Schema, Name: s.Newname}
			c.Functions[o.Name] = o
		}
	}
}

// renameRelation renames the table, view, index or sequence old.
func (c *Catalog) renameRelation(old QName, newName string) {
	c.moveRelation(old, QName{Schema: old.Schema, Name: newName})
}

// moveRelation gives the relation old (a table, view, index or sequence)
// the name nq, and points what refers to it at the new name.
func (c *Catalog) moveRelation(old, nq QName) {
	if old == nq {
		return
	}
	if t := c.Tables[old]; t != nil {
		delete(c.Tables, old)
		t.Name = nq
		c.Tables[nq] = t
	}
	if v := c.Views[old]; v != nil {
		delete(c.Views, old)
		v.Name = nq
		c.Views[nq] = v
	}
	if ix := c.Indexes[old]; ix != nil {
		delete(c.Indexes, old)
		ix.Name = nq
		c.Indexes[nq] = ix
	}
	if o := c.Sequences[old]; o != nil {
		delete(c.Sequences, old)
		o.Name = nq
		c.Sequences[nq] = o
	}
	c.retarget(old, nq)
}

func replace(list []string, old, new string) {
	for i, v := range list {
		if v == old {
			list[i] = new
		}
	}
}

// retarget points indexes, views, foreign keys and owned sequences at a
// renamed relation.
func (c *Catalog) retarget(old, new QName) {
	for _, ix := range c.Indexes {
		if ix.Table == old {
			ix.Table = new
		}
	}
	for _, v := range c.Views {
		for i, r := range v.Reads {
			if r == old {
				v.Reads[i] = new
			}
		}
	}
	for _, t := range c.Tables {
		for _, con := range t.Constraints {
			if con.Refs == old {
				con.Refs = new
			}
		}
	}
	for _, o := range c.Sequences {
		if o.Owner == old {
			o.Owner = new
		}
	}
}

// moveSchema renames the schema part of every object in schema from.
func (c *Catalog) moveSchema(from, to string) {
	if from == to {
		return
	}
	var rels []QName
	collect := func(q QName) {
		if q.Schema == from {
			rels = append(rels, q)
		}
	}
	for q := range c.Tables {
		collect(q)
	}
	for q := range c.Views {
		collect(q)
	}
	for q := range c.Indexes {
		collect(q)
	}
	for q := range c.Sequences {
		collect(q)
	}
	for _, q := range rels {
		c.moveRelation(q, QName{Schema: to, Name: q.Name})
	}
	var types, funcs []QName
	for q := range c.Types {
		if q.Schema == from {
			types = append(types, q)
		}
	}
	for q := range c.Functions {
		if q.Schema == from {
			funcs = append(funcs, q)
		}
	}
	for _, q := range types {
		t := c.Types[q]
		delete(c.Types, q)
		nq := QName{Schema: to, Name: q.Name}
		t.Name = nq.String()
		c.Types[nq] = t
	}
	for _, q := range funcs {
		o := c.Functions[q]
		delete(c.Functions, q)
		o.Name = QName{Schema: to, Name: q.Name}
		c.Functions[o.Name] = o
	}
}

func (c *Catalog) setSchema(s *pg.AlterObjectSchemaStmt) {
	if s.Relation == nil {
		return
	}
	old := c.Resolve(s.Relation)
	if old.Schema == s.Newschema {
		return
	}
	moved := []QName{old}
	if c.Tables[old] != nil {
		// A table takes its indexes and the sequences it owns along.
		for q, ix := range c.Indexes {
			if ix.Table == old {
				moved = append(moved, q)
			}
		}
		for q, o := range c.Sequences {
			if o.Owner == old {
				moved = append(moved, q)
			}
		}
	}
	for _, q := range moved {
		c.moveRelation(q, QName{Schema: s.Newschema, Name: q.Name})
	}
}

func (c *Catalog) drop(s *pg.DropStmt) {
	for _, obj := range s.Objects {
		switch s.RemoveType {
		case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_MATVIEW, pg.ObjectType_OBJECT_FOREIGN_TABLE:
			q := c.resolveNames(ObjectNames(obj), c.hasRelation)
			c.dropTable(q, s.Behavior == pg.DropBehavior_DROP_CASCADE)
		case pg.ObjectType_OBJECT_VIEW:
			c.dropView(c.resolveNames(ObjectNames(obj), c.hasRelation), s.Behavior == pg.DropBehavior_DROP_CASCADE)
		case pg.ObjectType_OBJECT_INDEX:
			delete(c.Indexes, c.resolveNames(ObjectNames(obj), c.hasRelation))
		case pg.ObjectType_OBJECT_SEQUENCE:
			q := c.resolveNames(ObjectNames(obj), c.hasRelation)
			if o := c.Sequences[q]; o != nil && s.Behavior == pg.DropBehavior_DROP_CASCADE {
				// CASCADE drops the serial column's DEFAULT nextval(...) too.
				if t := c.Tables[o.Owner]; t != nil {
					if col := t.Column(o.OwnerColumn); col != nil && !col.Identity && !col.Generated {
						col.HasDefault, col.Default = false, nil
					}
				}
			}
			delete(c.Sequences, q)
		case pg.ObjectType_OBJECT_TYPE, pg.ObjectType_OBJECT_DOMAIN:
			q := c.resolveNames(ObjectNames(obj), c.hasType)
			if s.Behavior == pg.DropBehavior_DROP_CASCADE && c.Types[q] != nil {
				c.dropTypeCascade(q) // the columns of the type go with it
			}
			delete(c.Types, q)
		case pg.ObjectType_OBJECT_FUNCTION, pg.ObjectType_OBJECT_PROCEDURE, pg.ObjectType_OBJECT_ROUTINE:
			delete(c.Functions, c.resolveNames(ObjectNames(obj), c.hasFunction))
		case pg.ObjectType_OBJECT_SCHEMA:
			name := strings.Join(ObjectNames(obj), ".")
			delete(c.Schemas, name)
			if s.Behavior == pg.DropBehavior_DROP_CASCADE {
				for q := range c.Tables {
					if q.Schema == name {
						c.dropTable(q, true)
					}
				}
				for q := range c.Views {
					if q.Schema == name {
						delete(c.Views, q)
					}
				}
				for q := range c.Indexes {
					if q.Schema == name {
						delete(c.Indexes, q)
					}
				}
				for q := range c.Sequences {
					if q.Schema == name {
						delete(c.Sequences, q)
					}
				}
				for q := range c.Types {
					if q.Schema == name {
						delete(c.Types, q)
					}
				}
				for q := range c.Functions {
					if q.Schema == name {
						delete(c.Functions, q)
					}
				}
			}
		case pg.ObjectType_OBJECT_TRIGGER:
			names := ObjectNames(obj)
			if len(names) >= 2 {
				tq := c.resolveNames(names[:len(names)-1], c.hasRelation)
				delete(c.Triggers, tq.String()+"."+names[len(names)-1])
			}
		case pg.ObjectType_OBJECT_EXTENSION:
			delete(c.Other, "extension "+strings.Join(ObjectNames(obj), "."))
		}
	}
}

// dropTable drops table q with its indexes and the sequences its columns
// own, and, with CASCADE, the views that read it.
func (c *Catalog) dropTable(q QName, cascade bool) {
	delete(c.Tables, q)
	for k, ix := range c.Indexes {
		if ix.Table == q {
			delete(c.Indexes, k)
		}
	}
	c.dropOwnedSequences(q, "")
	if cascade {
		for _, v := range c.ViewsReading(q) {
			c.dropView(v, true)
		}
	}
}

// dropView drops view q, and with CASCADE the views that read it.
func (c *Catalog) dropView(q QName, cascade bool) {
	if c.Views[q] == nil {
		return
	}
	delete(c.Views, q)
	if cascade {
		for _, v := range c.ViewsReading(q) {
			c.dropView(v, true)
		}
	}
}

func (c *Catalog) alterEnum(s *pg.AlterEnumStmt) {
	t := c.Types[c.resolveNames(Names(s.TypeName), c.hasType)]
	if t == nil {
		return
	}
	switch {
	case s.OldVal != "":
		replace(t.Values, s.OldVal, s.NewVal)
	case s.NewVal != "":
		for _, v := range t.Values {
			if v == s.NewVal {
				return
			}
		}
		t.Values = append(t.Values, s.NewVal)
	}
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
	Walk(query, func(n *pg.Node) {
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
	Walk(expr, func(n *pg.Node) {
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
