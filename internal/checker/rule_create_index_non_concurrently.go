package checker

import (
	"fmt"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

var createIndexNonConcurrently = &Rule{
	ID:       "create-index-non-concurrently",
	Category: Locking, Severity: Error,
	Summary: "CREATE INDEX without CONCURRENTLY on a table that exists in production",
	Why:     "building the index holds a SHARE lock that blocks every INSERT, UPDATE and DELETE on the table until the whole table is indexed",
	Fix: `1. CREATE INDEX CONCURRENTLY IF NOT EXISTS name ON t (col), named, so a retry is clean;
2. run it outside a transaction: goose: -- +goose NO TRANSACTION; golang-migrate, Prisma, dbmate (transaction:false), Diesel: a migration file holding only that statement; Flyway: a migration of its own;
3. if it fails, it leaves an INVALID index: DROP INDEX CONCURRENTLY IF EXISTS name, and run step 1 again.
For a partitioned table: CREATE INDEX name ON ONLY parent (col); CREATE INDEX CONCURRENTLY on each partition; ALTER INDEX name ATTACH PARTITION each partition's index.`,
	Notes: `squawk (require-concurrent-index-creation), strong_migrations (add_index) and GitLab
(add_concurrent_index) agree. squawk exempts tables created in the same file only inside a transaction;
phasegate exempts every table created earlier in the change, also by CREATE TABLE AS or CREATE
MATERIALIZED VIEW, which squawk does not recognise. CREATE INDEX IF NOT EXISTS of an index that exists
(an earlier migration made it: the history is replayed) builds nothing and is not flagged; squawk, which
sees one file, flags it. On a partitioned table, CREATE INDEX ON ONLY is the
catalog-only first step of the recipe and is not flagged, while CREATE INDEX CONCURRENTLY fails in
PostgreSQL and is.`,
	Examples: []Example{
		{SQL: "CREATE INDEX users_name_idx ON users (name);", Flagged: true},
		{SQL: "CREATE INDEX CONCURRENTLY users_name_idx ON users (name);"},
		{SQL: "CREATE TABLE t (id int, a int);\nCREATE INDEX t_a_idx ON t (a);"},
		{SQL: "CREATE INDEX IF NOT EXISTS users_email_idx ON users (email);"},
		{SQL: "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\nCREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"},
		{SQL: "CREATE TABLE users_copy AS SELECT * FROM users;\nCREATE INDEX users_copy_name_idx ON users_copy (name);"},
		{Base: "CREATE TABLE t (id int, a int);\nCREATE INDEX t_a_idx ON t (a);", SQL: "CREATE INDEX IF NOT EXISTS t_a_idx ON t (a);"},
		{Base: "CREATE TABLE m (id bigint, at date) PARTITION BY RANGE (at);\nCREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
			SQL: "CREATE INDEX m_at_idx ON m (at);", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		ix := c.Node.GetIndexStmt()
		if ix == nil {
			return nil
		}
		q, t := c.Table(ix.Relation)
		partitioned := t != nil && t.Partitioned
		name := indexName(q.Name, ix)
		if ix.Concurrent {
			if partitioned && ix.Relation.Inh {
				return []Finding{finding("CREATE INDEX CONCURRENTLY on partitioned table %s fails: PostgreSQL cannot build an index on a partitioned table concurrently", q).
					withSteps(partitionedIndexSteps(c, ix, name)...)}
			}
			return nil
		}
		if !c.Existing(q) {
			return nil
		}
		if ix.IfNotExists && ix.Idxname != "" && c.Catalog.Indexes[schema.QName{Schema: q.Schema, Name: ix.Idxname}] != nil {
			return nil // the index exists: PostgreSQL skips the build
		}
		if partitioned && !ix.Relation.Inh {
			return nil // ON ONLY: the parent's index, catalog only; the recipe's first step
		}
		if partitioned {
			return []Finding{finding("creates an index on partitioned table %s without CONCURRENTLY; every partition is locked against writes while it is built", q).
				withSteps(partitionedIndexSteps(c, ix, name)...)}
		}
		how := c.noTxFix()
		if how == "" {
			how = "run it without the migration tool's transaction"
		}
		concurrently := indexSQL(ix, c.Stmt.Text, name, func(cp *pg.IndexStmt) { cp.Concurrent, cp.IfNotExists = true, true })
		return []Finding{finding("creates an index on %s without CONCURRENTLY; writes to %s are blocked until it is built", q, q).withSteps(
			sqlStep("", concurrently, "writes go on while it is built"),
			"it must run outside a transaction: "+how+";",
			fmt.Sprintf("if it fails, it leaves an INVALID index: DROP INDEX CONCURRENTLY IF EXISTS %s; and run step 1 again.", ident(name))).
			withEdit(c.concurrentlyEdit(ix, name, concurrently))}
	},
}

// concurrentlyEdit writes the fix's first step into the statement (
// CONCURRENTLY, and IF NOT EXISTS with the index's name, so a retry is
// clean) when the tool then runs it outside a transaction block: a file
// of its own, or a tool that runs the file without one.
func (c *Context) concurrentlyEdit(ix *pg.IndexStmt, name, want string) *Edit {
	n := parseOne(want)
	if n == nil || !c.editable() {
		return nil
	}
	if inTx, mixed := c.txAfter(n); inTx || mixed {
		return nil
	}
	at := afterToken(c.Stmt.Text, pg.Token_INDEX)
	if at < 0 {
		return nil
	}
	add := " CONCURRENTLY"
	if !ix.IfNotExists {
		add += " IF NOT EXISTS"
		if ix.Idxname == "" {
			add += " " + ident(name).String()
		}
	}
	return c.replaceEdit([]string{c.Stmt.Text[:at] + add + c.Stmt.Text[at:] + ";"}, []string{want})
}

// partitionedIndexSteps are the steps that index a partitioned table
// without locking it: the parent's index alone (ON ONLY), each
// partition's built concurrently, then attached.
func partitionedIndexSteps(c *Context, ix *pg.IndexStmt, name string) []string {
	const placeholder = "phasegate_partition"
	parent := indexSQL(ix, c.Stmt.Text, name, func(cp *pg.IndexStmt) {
		cp.Concurrent, cp.IfNotExists = false, false
		cp.Relation.Inh = false
	})
	each := indexSQL(ix, c.Stmt.Text, "", func(cp *pg.IndexStmt) {
		cp.Concurrent, cp.IfNotExists = true, false
		cp.Relation = &pg.RangeVar{Relname: placeholder, Inh: true, Relpersistence: "p"}
	})
	return []string{
		sqlStep("", parent, "the parent's index alone: no build"),
		sqlStep("for each partition, outside a transaction: ", strings.Replace(each, placeholder, "<partition>", 1), ""),
		fmt.Sprintf("for each partition's index: ALTER INDEX %s ATTACH PARTITION <partition index>;", ident(name)),
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
