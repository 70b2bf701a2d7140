package checker

import (
	"strconv"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

// The SQL of a fix is built from the statement under review: a copy of its
// parse tree changed as the recipe says (NOT VALID, CONCURRENTLY, a
// constraint of its own), deparsed by PostgreSQL's own deparser. So a fix
// names the user's table, columns and expressions (ON users
// (display_name), not ON t (...)), quoted as they must be. The tree under
// review is never changed: it is replayed into the catalog afterwards.

// deparse returns the SQL of one statement, with its semicolon, or "" when
// pg_query cannot deparse it (the caller falls back to a generic text).
func deparse(stmt *pg.Node) string {
	sql, err := pg.DeparseStmt(stmt)
	if err != nil || sql == "" {
		return ""
	}
	return sql + ";"
}

// alterSQL is ALTER TABLE (the relation of at, as written) with one
// command.
func alterSQL(at *pg.AlterTableStmt, cmd *pg.AlterTableCmd) string {
	a := &pg.AlterTableStmt{Relation: at.Relation, Objtype: at.Objtype, MissingOk: at.MissingOk,
		Cmds: []*pg.Node{{Node: &pg.Node_AlterTableCmd{AlterTableCmd: cmd}}}}
	return deparse(&pg.Node{Node: &pg.Node_AlterTableStmt{AlterTableStmt: a}})
}

// addConstraintSQL is ALTER TABLE ... ADD CONSTRAINT name of a copy of
// con, NOT VALID when notValid. fkColumn, when set, is the column a column
// constraint (REFERENCES, CHECK written on an ADD COLUMN) becomes a table
// constraint on.
func addConstraintSQL(at *pg.AlterTableStmt, con *pg.Constraint, name string, notValid bool, fkColumn string) string {
	cc := pg.Clone(con)
	cc.Conname = name
	cc.SkipValidation = notValid
	cc.InitiallyValid = !notValid
	if fkColumn != "" && cc.Contype == pg.ConstrType_CONSTR_FOREIGN {
		cc.FkAttrs = []*pg.Node{pg.MakeStrNode(fkColumn)}
	}
	return alterSQL(at, &pg.AlterTableCmd{Subtype: pg.AlterTableType_AT_AddConstraint,
		Def: &pg.Node{Node: &pg.Node_Constraint{Constraint: cc}}, Behavior: pg.DropBehavior_DROP_RESTRICT})
}

// validateSQL is ALTER TABLE ... VALIDATE CONSTRAINT name.
func validateSQL(at *pg.AlterTableStmt, name string) string {
	return alterSQL(at, &pg.AlterTableCmd{Subtype: pg.AlterTableType_AT_ValidateConstraint, Name: name, Behavior: pg.DropBehavior_DROP_RESTRICT})
}

// addColumnWithoutSQL is ALTER TABLE ... ADD COLUMN of a copy of def
// without the column constraints drop matches.
func addColumnWithoutSQL(at *pg.AlterTableStmt, def *pg.ColumnDef, drop func(*pg.Constraint) bool) string {
	cd := pg.Clone(def)
	var keep []*pg.Node
	for _, n := range cd.Constraints {
		if con := n.GetConstraint(); con == nil || !drop(con) {
			keep = append(keep, n)
		}
	}
	cd.Constraints = keep
	return alterSQL(at, &pg.AlterTableCmd{Subtype: pg.AlterTableType_AT_AddColumn,
		Def: &pg.Node{Node: &pg.Node_ColumnDef{ColumnDef: cd}}, Behavior: pg.DropBehavior_DROP_RESTRICT})
}

// indexSQL is a copy of CREATE INDEX ix named name, changed by edit, as
// SQL. The access method is left out when the statement left it out.
func indexSQL(ix *pg.IndexStmt, source, name string, edit func(*pg.IndexStmt)) string {
	cp := pg.Clone(ix)
	cp.Idxname = name
	if edit != nil {
		edit(cp)
	}
	sql := deparse(&pg.Node{Node: &pg.Node_IndexStmt{IndexStmt: cp}})
	if !strings.Contains(strings.ToUpper(source), "USING") {
		sql = strings.Replace(sql, " USING btree ", " ", 1)
	}
	return sql
}

// stringLiteral quotes s as an SQL string constant.
func stringLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// indexName is the name PostgreSQL gives an unnamed index on table
// (ChooseIndexName: the table, the key columns, "idx"), or ix's own.
func indexName(table string, ix *pg.IndexStmt) string {
	if ix.Idxname != "" {
		return ix.Idxname
	}
	parts := []string{table}
	for _, p := range ix.IndexParams {
		el := p.GetIndexElem()
		switch {
		case el == nil:
		case el.Name != "":
			parts = append(parts, el.Name)
		case el.Expr.GetFuncCall() != nil:
			names := schema.Names(el.Expr.GetFuncCall().Funcname)
			parts = append(parts, names[len(names)-1])
		default:
			parts = append(parts, "expr")
		}
	}
	return schema.TruncateIdentifier(strings.Join(parts, "_") + "_idx")
}

// sqlStep is a step that runs sql: what comes before it, the SQL, and a
// note on what it does; "" when the SQL could not be built.
func sqlStep(before, sql, note string) string {
	if sql == "" {
		return ""
	}
	if note != "" {
		sql += "  (" + note + ")"
	}
	return before + sql
}

// steps numbers the steps of a fix, one per line: "1. ...\n2. ...". A
// single step is not numbered.
func steps(lines ...string) string {
	if len(lines) == 1 {
		return lines[0]
	}
	var b strings.Builder
	n := 0
	for _, l := range lines {
		if l == "" {
			continue
		}
		if n > 0 {
			b.WriteString("\n")
		}
		n++
		b.WriteString(strconv.Itoa(n) + ". " + l)
	}
	return b.String()
}
