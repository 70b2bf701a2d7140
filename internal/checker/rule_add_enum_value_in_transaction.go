package checker

import (
	"strconv"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

// addEnumValueInTransaction covers both ways ALTER TYPE ... ADD VALUE fails
// a transaction:
//
//   - before PostgreSQL 12, ADD VALUE itself cannot run in a transaction
//     block, unless the enum type was created in the same transaction (and
//     then its new labels can be used at once);
//   - from PostgreSQL 12, ADD VALUE runs in a transaction block, but the new
//     label cannot be used until the transaction commits: "ERROR: unsafe use
//     of new value". On 12 to 16 this holds even for an enum type created
//     in the same transaction; from 17, labels added to a type the same
//     transaction created (at its top level) can be used.
//
// The session remembers the labels added in the open transaction (a DO
// block without a transaction block is a transaction of its own) and
// forgets them at COMMIT or ROLLBACK; a statement after them whose string
// constant equals one is flagged, unless the constant is cast to, compared
// with, or stored in a known column of, another type.
var addEnumValueInTransaction = &Rule{
	ID:       "add-enum-value-in-transaction",
	Category: Other, Severity: Error,
	Summary: "ALTER TYPE ... ADD VALUE inside a transaction block before PostgreSQL 12, or a use of the new value before the transaction commits",
	Why:     "before PostgreSQL 12, ADD VALUE cannot run inside a transaction block; from 12 it can, but the new value cannot be used until the transaction commits (ERROR: unsafe use of new value): either way the migration fails",
	Fix: `run ALTER TYPE ... ADD VALUE in a transaction of its own, committed before any statement uses the new value: in a migration of its own that runs first,
or outside the migration's transaction (see concurrently-in-transaction for each tool)`,
	Notes: `strong_migrations handles this in its Rails adapter; squawk has no rule.
On PostgreSQL 12 to 16 the new value cannot be used before commit even when the enum type was created in the same transaction;
PostgreSQL 17 allows that case (CREATE TYPE ... AS ENUM, then ADD VALUE, then a use, all in one transaction).
A DO block that no transaction block encloses is a transaction of its own. phasegate flags a string constant equal to the new
value, unless it is cast to another type or compared with, or stored in, a column of another type.`,
	Examples: []Example{
		{SQL: "BEGIN;\nALTER TYPE mood ADD VALUE 'happy';\nCOMMIT;", Flagged: true, Version: 11},
		{SQL: "BEGIN;\nALTER TYPE mood ADD VALUE 'happy';\nCOMMIT;"},
		{Base: enumExampleBase, SQL: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nUPDATE people SET m = 'meh' WHERE id = 1;\nCOMMIT;", Flagged: true},
		{Base: enumExampleBase, SQL: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;\nUPDATE people SET m = 'meh' WHERE id = 1;"},
		{SQL: "BEGIN;\nCREATE TYPE tier AS ENUM ('free');\nALTER TYPE tier ADD VALUE 'pro';\nCREATE TABLE plans (t tier DEFAULT 'pro');\nCOMMIT;", Version: 17},
	},
	Check: func(c *Context) []Finding {
		if a := c.Node.GetAlterEnumStmt(); a != nil {
			return addValueInTransaction(c, a)
		}
		return newEnumValueUses(c)
	},
}

const enumExampleBase = "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE people (id bigint PRIMARY KEY, m mood);"

// addValueInTransaction flags ADD VALUE in a transaction block before
// PostgreSQL 12.
func addValueInTransaction(c *Context, a *pg.AlterEnumStmt) []Finding {
	if a.OldVal != "" || c.Version >= 12 || !c.InTransaction() {
		return nil
	}
	q := c.Catalog.ResolveNames(namesOf(a.TypeName))
	if t := c.Catalog.Types[q]; t != nil && t.Origin.New {
		return nil
	}
	f := finding("ALTER TYPE %s ADD VALUE cannot run in a transaction block on PostgreSQL %d (%s)", q, c.Version, c.txReason())
	if fix := c.noTxFix(); fix != "" {
		f = f.withFix("%s", fix)
	}
	return []Finding{f}
}

// newEnumValueUses flags the string constants of the statement that equal
// an enum value ADD VALUE added earlier in the still open transaction.
func newEnumValueUses(c *Context) []Finding {
	if len(c.sess.enumValues) == 0 || !mentionsAny(c.Stmt.Text, c.sess.enumValues) {
		return nil
	}
	types := constantTypes(c)
	var out []Finding
	seen := map[string]bool{}
	pg.Walk(c.Node, func(n *pg.Node) {
		k := n.GetAConst()
		if k == nil || k.GetSval() == nil {
			return
		}
		label := k.GetSval().Sval
		adds := c.sess.enumValues[label]
		if len(adds) == 0 || seen[label] {
			return
		}
		add := adds[len(adds)-1]
		if t, ok := types[k]; ok {
			found := false
			for _, a := range adds {
				if isType(t, a.Type) {
					add, found = a, true
				}
			}
			if !found {
				return // a constant of another type
			}
		}
		seen[label] = true
		out = append(out, finding("uses the value '%s' that ALTER TYPE %s ADD VALUE added at line %d in the same transaction: PostgreSQL %d refuses it until the transaction commits (ERROR: unsafe use of new value \"%s\" of enum type %s)",
			label, add.Type, add.Line, c.Version, label, add.Type).
			at(c.Pos(k.Location)).withFix("%s", newEnumValueFix(c, add)))
	})
	return out
}

// newEnumValueFix says how to commit the new value before its use.
func newEnumValueFix(c *Context, add addedEnumValue) string {
	switch {
	case c.ExplicitTransaction():
		return "commit the new value before using it: put COMMIT; BEGIN; between ALTER TYPE ... ADD VALUE (line " + strconv.Itoa(add.Line) + ") and this statement, or move the ADD VALUE before the BEGIN"
	case !c.InTransaction() && c.sess.inDo:
		return "a DO block runs as one transaction: run ALTER TYPE ... ADD VALUE as a statement of its own, before the DO block"
	}
	return "move ALTER TYPE ... ADD VALUE (line " + strconv.Itoa(add.Line) + ") to a migration of its own that runs before this one, so that it is committed before the value is used (" + c.txReason() + ")"
}

// isType reports whether column type t is enum type q.
func isType(t schema.Type, q schema.QName) bool {
	if t.Array {
		return false
	}
	name := t.Name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return name == q.Name
}

// constantTypes returns the types of the string constants of the statement
// that tell them: a cast ('x'::t), a column default (c t DEFAULT 'x', ALTER
// COLUMN c SET DEFAULT 'x'), a value stored in a known column (UPDATE ...
// SET c = 'x', INSERT INTO t (c) VALUES ('x')) or compared with one (c =
// 'x', c IN ('x', ...)).
func constantTypes(c *Context) map[*pg.A_Const]schema.Type {
	out := map[*pg.A_Const]schema.Type{}
	rel := statementRelation(c.Node)
	column := func(rv *pg.RangeVar, col string) (schema.Type, bool) {
		if rv == nil {
			return schema.Type{}, false
		}
		t := c.Catalog.Tables[c.Catalog.Resolve(rv)]
		if t == nil {
			return schema.Type{}, false
		}
		cc := t.Column(col)
		if cc == nil {
			return schema.Type{}, false
		}
		return cc.Type, true
	}
	put := func(n *pg.Node, rv *pg.RangeVar, col string) {
		if k := n.GetAConst(); k != nil {
			if t, ok := column(rv, col); ok {
				out[k] = t
			}
		}
	}
	pg.Walk(c.Node, func(n *pg.Node) {
		switch x := n.GetNode().(type) {
		case *pg.Node_TypeCast:
			if k := x.TypeCast.Arg.GetAConst(); k != nil {
				out[k] = schema.TypeOf(x.TypeCast.TypeName)
			}
		case *pg.Node_ColumnDef:
			for _, cn := range x.ColumnDef.Constraints {
				if con := cn.GetConstraint(); con != nil && con.Contype == pg.ConstrType_CONSTR_DEFAULT {
					if k := con.RawExpr.GetAConst(); k != nil {
						out[k] = schema.TypeOf(x.ColumnDef.TypeName)
					}
				}
			}
		case *pg.Node_AlterTableStmt:
			for _, cn := range x.AlterTableStmt.Cmds {
				if cmd := cn.GetAlterTableCmd(); cmd != nil && cmd.Subtype == pg.AlterTableType_AT_ColumnDefault && cmd.Def != nil {
					put(cmd.Def, x.AlterTableStmt.Relation, cmd.Name)
				}
			}
		case *pg.Node_UpdateStmt:
			for _, tn := range x.UpdateStmt.TargetList {
				if rt := tn.GetResTarget(); rt != nil && rt.Val != nil {
					put(rt.Val, x.UpdateStmt.Relation, rt.Name)
				}
			}
		case *pg.Node_InsertStmt:
			ins := x.InsertStmt
			var cols []string
			for _, cn := range ins.Cols {
				if rt := cn.GetResTarget(); rt != nil {
					cols = append(cols, rt.Name)
				}
			}
			if len(cols) == 0 {
				if t := c.Catalog.Tables[c.Catalog.Resolve(ins.Relation)]; t != nil && !t.Incomplete {
					for _, cc := range t.Columns {
						cols = append(cols, cc.Name)
					}
				}
			}
			if sel := ins.SelectStmt.GetSelectStmt(); sel != nil {
				for _, row := range sel.ValuesLists {
					for i, v := range row.GetList().GetItems() {
						if i < len(cols) {
							put(v, ins.Relation, cols[i])
						}
					}
				}
			}
		case *pg.Node_AExpr:
			e := x.AExpr
			if e.Kind != pg.A_Expr_Kind_AEXPR_OP && e.Kind != pg.A_Expr_Kind_AEXPR_IN {
				return
			}
			l, r := e.Lexpr, e.Rexpr
			if l.GetColumnRef() == nil {
				l, r = r, l
			}
			cr := l.GetColumnRef()
			if cr == nil || rel == nil {
				return
			}
			fields := namesOf(cr.Fields)
			if len(fields) == 0 || len(fields) > 1 && fields[len(fields)-2] != rel.Relname && (rel.Alias == nil || fields[len(fields)-2] != rel.Alias.Aliasname) {
				return
			}
			col := fields[len(fields)-1]
			if items := r.GetList().GetItems(); items != nil {
				for _, v := range items {
					put(v, rel, col)
				}
			} else if r != nil {
				put(r, rel, col)
			}
		}
	})
	return out
}

// statementRelation returns the one relation the column references of a
// statement's conditions can name, or nil.
func statementRelation(n *pg.Node) *pg.RangeVar {
	switch x := n.GetNode().(type) {
	case *pg.Node_UpdateStmt:
		if len(x.UpdateStmt.FromClause) == 0 {
			return x.UpdateStmt.Relation
		}
	case *pg.Node_DeleteStmt:
		if len(x.DeleteStmt.UsingClause) == 0 {
			return x.DeleteStmt.Relation
		}
	case *pg.Node_SelectStmt:
		if f := x.SelectStmt.FromClause; len(f) == 1 {
			return f[0].GetRangeVar()
		}
	}
	return nil
}

// mentionsAny is a cheap filter before the parse tree walk: a statement
// that uses a label has it, quoted, in its text.
func mentionsAny(text string, labels map[string][]addedEnumValue) bool {
	for label := range labels {
		if strings.Contains(text, "'"+label+"'") {
			return true
		}
	}
	return false
}
