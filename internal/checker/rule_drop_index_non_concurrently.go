package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var dropIndexNonConcurrently = &Rule{
	ID:       "drop-index-non-concurrently",
	Category: Locking, Severity: Warning,
	Summary: "DROP INDEX without CONCURRENTLY on an index that exists in production",
	Why:     "DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table; waiting for it queues every query on the table behind it",
	Fix:     "DROP INDEX CONCURRENTLY, outside a transaction (one statement per file for golang-migrate and Prisma; goose NO TRANSACTION; dbmate transaction:false)",
	Notes: `squawk flags it by default (require-concurrent-index-deletion); strong_migrations only when
configured (remove_index). The drop itself is quick, so phasegate warns rather than errs. DROP INDEX IF EXISTS
of an index the replayed history never had is not flagged when the history defines its schema fully
(no replay gap, no table that may carry indexes phasegate cannot name: LIKE, partitions, tables the
history never created): PostgreSQL skips it without a lock. squawk flags it.`,
	Examples: []Example{
		{SQL: "DROP INDEX users_email_idx;", Flagged: true},
		{SQL: "DROP INDEX CONCURRENTLY users_email_idx;"},
		{SQL: "CREATE INDEX t_idx ON users (name);\nDROP INDEX t_idx;"},
		{Base: "CREATE TABLE t (id int);", SQL: "DROP INDEX IF EXISTS t_gone_idx;"},
		{Base: "CREATE TABLE t (id int);\nCREATE TABLE t_copy (LIKE t INCLUDING ALL);", SQL: "DROP INDEX IF EXISTS t_gone_idx;", Flagged: true},
		{Base: "CREATE TABLE t (id int);\nSELECT create_tenant_indexes();", SQL: "DROP INDEX IF EXISTS t_gone_idx;", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		d := c.Node.GetDropStmt()
		if d == nil || d.RemoveType != pg.ObjectType_OBJECT_INDEX || d.Concurrent {
			return nil
		}
		var out []Finding
		for _, obj := range d.Objects {
			q := c.Catalog.ResolveNames(objectNames(obj))
			ix := c.Catalog.Indexes[q]
			if ix != nil && (ix.Origin.New || !c.Existing(ix.Table)) {
				continue
			}
			if ix == nil && d.MissingOk && c.Catalog.IndexesKnown(q.Schema) {
				continue // production has no such index: PostgreSQL skips it
			}
			table := "its table"
			if ix != nil {
				table = ix.Table.String()
			}
			out = append(out, finding("drops index %s without CONCURRENTLY; it locks %s against all queries while it waits and drops", q, table))
		}
		return out
	},
}
