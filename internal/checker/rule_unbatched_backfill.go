package checker

import (
	pg "github.com/pganalyze/pg_query_go/v5"

	"github.com/phasegate/phasegate/internal/schema"
)

var unbatchedBackfill = register(&Rule{
	ID:       "unbatched-backfill",
	Category: Locking, Severity: Warning,
	Summary: "UPDATE or DELETE of a table that exists in production, in one statement",
	Why:     "one statement over the whole table locks every row it touches until the migration commits, writes the whole table to WAL at once and leaves it bloated; writers of those rows wait",
	Fix: `backfill in batches, each in its own transaction, outside the schema migration (a background job or a script), e.g.
UPDATE t SET col = ... WHERE id IN (SELECT id FROM t WHERE col IS NULL LIMIT 1000); repeated until no row changes.`,
	Notes: `strong_migrations and GitLab (batched background migrations) recommend batching; squawk has no rule.
A statement whose WHERE clause selects a batch is not flagged: a subquery with LIMIT, or a range of
physical pages (ctid >= ... AND ctid < ..., which PostgreSQL 14+ reads with a TID range scan), the
form phasegate split writes in its backfill loops.`,
	Examples: []Example{
		{SQL: "UPDATE users SET status = 'active' WHERE status IS NULL;", Flagged: true},
		{SQL: "DELETE FROM events;", Flagged: true},
		{SQL: "UPDATE users SET status = 'active' WHERE id IN (SELECT id FROM users WHERE status IS NULL LIMIT 1000);"},
		{SQL: "CREATE TABLE t (a int);\nUPDATE t SET a = 1;"},
		{SQL: "UPDATE users SET nick = name WHERE ctid >= '(0,0)'::tid AND ctid < '(1000,0)'::tid AND nick IS DISTINCT FROM name;"},
		{SQL: "UPDATE users SET nick = name WHERE ctid >= '(0,0)'::tid;", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		var rel *pg.RangeVar
		var where *pg.Node
		verb := ""
		switch n := c.Node.GetNode().(type) {
		case *pg.Node_UpdateStmt:
			rel, where, verb = n.UpdateStmt.Relation, n.UpdateStmt.WhereClause, "updates"
		case *pg.Node_DeleteStmt:
			rel, where, verb = n.DeleteStmt.Relation, n.DeleteStmt.WhereClause, "deletes from"
		default:
			return nil
		}
		q := c.Catalog.Resolve(rel)
		if !c.Existing(q) || batched(where) {
			return nil
		}
		scope := "every row matching its WHERE clause"
		if where == nil {
			scope = "every row"
		}
		return []Finding{finding("%s %s of %s in one statement", verb, scope, q)}
	},
})

// batched reports whether a WHERE clause limits the statement to a batch:
// a subquery with LIMIT, or both bounds of a range of ctid.
func batched(where *pg.Node) bool {
	found, lower, upper := false, false, false
	schema.Walk(where, func(n *pg.Node) {
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
