package schema

import (
	"fmt"
	"strings"
	"unicode/utf8"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

// Tables, their columns and constraints, and indexes, as CREATE TABLE,
// ALTER TABLE and CREATE INDEX leave them.

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
		return TruncateIdentifier(t.Name.Name + "_pkey")
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
	base := TruncateIdentifier(strings.Join(parts, "_") + "_" + suffix)
	name := base
	for i := 1; t.Constraints[name] != nil; i++ {
		name = TruncateIdentifier(base + fmt.Sprint(i))
	}
	return name
}

// TruncateIdentifier cuts a name to PostgreSQL's 63 bytes as PostgreSQL
// does (truncate_identifier, pg_mbcliplen): on a character boundary, so
// that a multi-byte character is dropped whole rather than split.
func TruncateIdentifier(s string) string {
	if len(s) <= maxIdentifier {
		return s
	}
	cut := maxIdentifier
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
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
		name = TruncateIdentifier(tq.Name + "_" + strings.Join(cols, "_") + "_idx")
	}
	q := QName{Schema: tq.Schema, Name: name}
	if c.Indexes[q] != nil && s.IfNotExists {
		return
	}
	c.Indexes[q] = &Index{Name: q, Table: tq, Unique: s.Unique, Primary: s.Primary, Columns: cols, Origin: origin, Stmt: s}
}
