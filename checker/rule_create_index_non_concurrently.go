package checker

import "github.com/phasegate/phasegate/schema"

var createIndexNonConcurrently = register(&Rule{
	ID:       "create-index-non-concurrently",
	Category: Locking, Severity: Error,
	Summary: "CREATE INDEX without CONCURRENTLY on a table that exists in production",
	Why:     "building the index holds a SHARE lock that blocks every INSERT, UPDATE and DELETE on the table until the whole table is indexed",
	Fix: `CREATE INDEX CONCURRENTLY, which must run outside a transaction: goose: -- +goose NO TRANSACTION; golang-migrate, Prisma, dbmate (transaction:false), Diesel: a migration file holding only that statement; Flyway: a migration of its own.
If it fails, it leaves an INVALID index: DROP INDEX CONCURRENTLY it and retry (give the index a name, and use IF NOT EXISTS, so the retry is clean).
For a partitioned table: CREATE INDEX ... ON ONLY parent, then CREATE INDEX CONCURRENTLY on each partition and ALTER INDEX parent_idx ATTACH PARTITION each one.`,
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
	},
	Check: func(c *Context) []Finding {
		ix := c.Node.GetIndexStmt()
		if ix == nil {
			return nil
		}
		q, t := c.Table(ix.Relation)
		partitioned := t != nil && t.Partitioned
		if ix.Concurrent {
			if partitioned && ix.Relation.Inh {
				return []Finding{finding("CREATE INDEX CONCURRENTLY on partitioned table %s fails: PostgreSQL cannot build an index on a partitioned table concurrently", q).
					withFix("CREATE INDEX %s ON ONLY %s (...); then for each partition: CREATE INDEX CONCURRENTLY ... ON <partition> (...); ALTER INDEX %s ATTACH PARTITION <partition index>;", identOr(ix.Idxname, "<name>"), q, orDefault(ix.Idxname, "<name>"))}
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
				withFix("CREATE INDEX %s ON ONLY %s (...); then for each partition: CREATE INDEX CONCURRENTLY ... ON <partition> (...); ALTER INDEX %s ATTACH PARTITION <partition index>;", identOr(ix.Idxname, "<name>"), q, orDefault(ix.Idxname, "<name>"))}
		}
		f := finding("creates an index on %s without CONCURRENTLY; writes to %s are blocked until it is built", q, q)
		if how := c.noTxFix(); how != "" && !c.ExplicitTransaction() {
			f = f.withFix("CREATE INDEX CONCURRENTLY IF NOT EXISTS %s ON %s (...); it must run outside a transaction: %s. If it fails, DROP INDEX CONCURRENTLY the INVALID index it leaves and retry.", identOr(ix.Idxname, "<name>"), q, how)
		}
		return []Finding{f}
	},
})

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
