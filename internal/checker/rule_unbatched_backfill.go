package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

var unbatchedBackfill = &Rule{
	ID:       "unbatched-backfill",
	Category: Locking, Severity: Warning,
	Summary: "UPDATE or DELETE of a table that exists in production, in one statement",
	Why:     "one statement over the whole table locks every row it touches until the migration commits, writes the whole table to WAL at once and leaves it bloated; writers of those rows wait",
	Fix: `backfill in batches, each in its own transaction, outside the schema migration (a background job or a script), e.g.
UPDATE t SET col = ... WHERE id IN (SELECT id FROM t WHERE col IS NULL LIMIT 1000); repeated until no row changes.`,
	Notes: `strong_migrations and GitLab (batched background migrations) recommend batching; squawk has no rule.
A statement whose WHERE clause selects a batch is not flagged: a subquery with LIMIT, or a range of
physical pages (ctid >= ... AND ctid < ..., which PostgreSQL 14+ reads with a TID range scan), the
form phasegate split writes in its backfill loops.
A DELETE's fix is the statement itself limited to a batch of 1000 rows by primary key (by ctid on a table
without one that is not partitioned: ctid is unique only within a partition), repeated until it deletes
no row; a deleted row no longer matches, so the loop ends.`,
	Examples: []Example{
		{SQL: "UPDATE users SET status = 'active' WHERE status IS NULL;", Flagged: true},
		{SQL: "DELETE FROM events;", Flagged: true},
		{SQL: "UPDATE users SET status = 'active' WHERE id IN (SELECT id FROM users WHERE status IS NULL LIMIT 1000);"},
		{SQL: "CREATE TABLE t (a int);\nUPDATE t SET a = 1;"},
		{SQL: "UPDATE users SET nick = name WHERE ctid >= '(0,0)'::tid AND ctid < '(1000,0)'::tid AND nick IS DISTINCT FROM name;"},
		{SQL: "UPDATE users SET nick = name WHERE ctid >= '(0,0)'::tid;", Flagged: true},
		{SQL: "DELETE FROM users WHERE status = 'banned';", Flagged: true},
		{SQL: "DELETE FROM users u USING orgs o WHERE u.org_id = o.id AND o.name = 'gone' RETURNING u.id;", Flagged: true},
		{SQL: "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE status = 'banned' LIMIT 1000);"},
		{SQL: "DELETE FROM events WHERE ctid = ANY (ARRAY(SELECT ctid FROM events WHERE kind = 3 LIMIT 1000));"},
	},
	Check: func(c *Context) []Finding {
		var rel *pg.RangeVar
		var where *pg.Node
		verb := ""
		switch n := c.Node.GetNode().(type) {
		case *pg.Node_UpdateStmt:
			rel, where, verb = n.UpdateStmt.Relation, n.UpdateStmt.WhereClause, "updates"
		case *pg.Node_DeleteStmt:
			rel, where, verb = n.DeleteStmt.Relation, n.DeleteStmt.WhereClause, "deletes"
		default:
			return nil
		}
		q := c.Catalog.Resolve(rel)
		if !c.Existing(q) || batched(where) {
			return nil
		}
		msg := "%s every row of %s in one statement"
		if where != nil {
			msg = "%s every row of %s that its WHERE clause matches, in one statement"
		}
		f := finding(msg, verb, q)
		if d := c.Node.GetDeleteStmt(); d != nil {
			f = f.withSteps("take the DELETE out of the schema migration, into a background job or a script;",
				"there, delete one batch per transaction: "+deleteBatch(d, c.Catalog.Table(q)),
				"repeat step 2 until it deletes no row.")
		}
		return []Finding{f}
	},
}

// batchSize is the rows a batch of deleteBatch deletes.
const batchSize = 1000

// deleteBatch is the DELETE d limited to a batch of the rows its WHERE
// clause matches, chosen by primary key (or, on a table without one that
// is not partitioned, by physical row: ctid is unique only within a
// partition). Repeated, it ends: a deleted row no longer matches.
func deleteBatch(d *pg.DeleteStmt, t *schema.Table) string {
	const generic = "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE ... LIMIT 1000);"
	var key []string
	if t != nil {
		for _, con := range t.Constraints {
			if con.Kind == schema.PrimaryKey && len(con.Columns) > 0 {
				key = con.Columns
			}
		}
	}
	if key == nil && (t == nil || t.Partitioned) {
		return generic
	}
	// The batch: the key of the rows the statement deletes (its USING
	// tables join in the subquery), at most batchSize of them.
	name := d.Relation.Relname
	if d.Relation.Alias != nil {
		name = d.Relation.Alias.Aliasname
	}
	col := func(c string) *pg.Node {
		return pg.MakeColumnRefNode([]*pg.Node{pg.MakeStrNode(name), pg.MakeStrNode(c)}, -1)
	}
	sel := &pg.SelectStmt{
		FromClause:  append([]*pg.Node{{Node: &pg.Node_RangeVar{RangeVar: d.Relation}}}, d.UsingClause...),
		WhereClause: d.WhereClause, LimitCount: pg.MakeAConstIntNode(batchSize, -1), LimitOption: pg.LimitOption_LIMIT_OPTION_COUNT,
	}
	batch := &pg.DeleteStmt{Relation: d.Relation, ReturningList: d.ReturningList, WithClause: d.WithClause}
	subselect := &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: sel}}
	if key == nil {
		sel.TargetList = []*pg.Node{pg.MakeResTargetNodeWithVal(col("ctid"), -1)}
		batch.WhereClause = pg.MakeAExprNode(pg.A_Expr_Kind_AEXPR_OP_ANY, []*pg.Node{pg.MakeStrNode("=")}, col("ctid"),
			&pg.Node{Node: &pg.Node_SubLink{SubLink: &pg.SubLink{SubLinkType: pg.SubLinkType_ARRAY_SUBLINK, Subselect: subselect}}}, -1)
	} else {
		var outer []*pg.Node
		for _, k := range key {
			sel.TargetList = append(sel.TargetList, pg.MakeResTargetNodeWithVal(col(k), -1))
			outer = append(outer, col(k))
		}
		test := outer[0]
		if len(outer) > 1 {
			test = &pg.Node{Node: &pg.Node_RowExpr{RowExpr: &pg.RowExpr{Args: outer, RowFormat: pg.CoercionForm_COERCE_IMPLICIT_CAST}}}
		}
		batch.WhereClause = &pg.Node{Node: &pg.Node_SubLink{SubLink: &pg.SubLink{SubLinkType: pg.SubLinkType_ANY_SUBLINK, Testexpr: test, Subselect: subselect}}}
	}
	sql := deparse(&pg.Node{Node: &pg.Node_DeleteStmt{DeleteStmt: batch}})
	if sql == "" {
		return generic
	}
	return sql
}

// batched reports whether a WHERE clause limits the statement to a batch:
// a subquery with LIMIT, or both bounds of a range of ctid.
func batched(where *pg.Node) bool {
	found, lower, upper := false, false, false
	pg.Walk(where, func(n *pg.Node) {
		if s := n.GetSelectStmt(); s != nil && s.LimitCount != nil {
			found = true
		}
		e := n.GetAExpr()
		if e == nil || e.Kind != pg.A_Expr_Kind_AEXPR_OP || len(e.Name) != 1 {
			return
		}
		op := e.Name[0].GetString_().GetSval()
		left, right := isCtid(e.Lexpr), isCtid(e.Rexpr)
		switch {
		case left && (op == ">" || op == ">="), right && (op == "<" || op == "<="):
			lower = true
		case left && (op == "<" || op == "<="), right && (op == ">" || op == ">="):
			upper = true
		}
	})
	return found || lower && upper
}

// isCtid reports a reference to the ctid system column.
func isCtid(n *pg.Node) bool {
	ref := n.GetColumnRef()
	if ref == nil || len(ref.Fields) == 0 {
		return false
	}
	return ref.Fields[len(ref.Fields)-1].GetString_().GetSval() == "ctid"
}
