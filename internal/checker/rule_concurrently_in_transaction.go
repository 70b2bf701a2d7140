package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
)

var concurrentlyInTransaction = &Rule{
	ID:       "concurrently-in-transaction",
	Category: Other, Severity: Error,
	Summary: "CONCURRENTLY (index create/drop, REINDEX, DETACH PARTITION), VACUUM, CREATE/DROP DATABASE, or a DO block that commits, inside a transaction block",
	Why:     "PostgreSQL refuses to run these inside a transaction block, so the migration fails",
	Fix: `run the statement outside a transaction:
goose: -- +goose NO TRANSACTION;  dbmate: -- migrate:up transaction:false;  Diesel: run_in_transaction = false in metadata.toml;  pop: a .autocommit.up.sql file;
golang-migrate and Prisma: put the statement alone in its own migration file (a file of several statements runs as one implicit transaction);
explicit BEGIN ... COMMIT in the file: move the statement out of it.`,
	Notes: `squawk flags it only for explicit transactions or with --assume-in-transaction; phasegate knows
whether the file's migration tool wraps it in a transaction.`,
	Examples: []Example{
		{SQL: "BEGIN;\nCREATE INDEX CONCURRENTLY users_name_idx ON users (name);\nCOMMIT;", Flagged: true},
		{SQL: "CREATE INDEX CONCURRENTLY users_name_idx ON users (name);"},
		{SQL: "BEGIN;\nDO $$ BEGIN UPDATE users SET name = lower(name); COMMIT; END $$;\nCOMMIT;", Flagged: true},
		{SQL: "DO $$ BEGIN UPDATE users SET name = lower(name); COMMIT; END $$;"},
	},
	Check: func(c *Context) []Finding {
		what := nonTransactional(c.Node)
		if what == "" {
			return nil
		}
		if c.sess.mixed && flywayNonTransactional(c.Node) && !c.ExplicitTransaction() {
			return []Finding{finding("%s sits beside other statements; Flyway refuses to mix non-transactional and transactional statements in one migration unless flyway.mixed is true", what).
				withFix("put the statement in a migration of its own")}
		}
		if !c.InTransaction() {
			return nil
		}
		f := finding("%s cannot run inside a transaction block, and this statement runs in one (%s)", what, c.txReason())
		if fix := c.noTxFix(); fix != "" {
			f = f.withFix("%s", fix)
		}
		return []Finding{f}
	},
}

// nonTransactional names the statement when PostgreSQL refuses to run it in
// a transaction block.
func nonTransactional(n *pg.Node) string {
	switch s := n.GetNode().(type) {
	case *pg.Node_IndexStmt:
		if s.IndexStmt.Concurrent {
			return "CREATE INDEX CONCURRENTLY"
		}
	case *pg.Node_DropStmt:
		if s.DropStmt.Concurrent {
			return "DROP INDEX CONCURRENTLY"
		}
	case *pg.Node_ReindexStmt:
		if hasOption(s.ReindexStmt.Params, "concurrently") {
			return "REINDEX CONCURRENTLY"
		}
	case *pg.Node_VacuumStmt:
		if s.VacuumStmt.IsVacuumcmd {
			return "VACUUM"
		}
	case *pg.Node_CreatedbStmt:
		return "CREATE DATABASE"
	case *pg.Node_DropdbStmt:
		return "DROP DATABASE"
	case *pg.Node_AlterSystemStmt:
		return "ALTER SYSTEM"
	case *pg.Node_DoStmt:
		if body, err := schema.ParseDo(s.DoStmt); err == nil && body.Commits {
			return "a DO block that commits"
		}
	case *pg.Node_AlterTableStmt:
		for _, cn := range s.AlterTableStmt.Cmds {
			if cmd := cn.GetAlterTableCmd(); cmd != nil && cmd.Subtype == pg.AlterTableType_AT_DetachPartition {
				if pc := cmd.Def.GetPartitionCmd(); pc != nil && pc.Concurrent {
					return "DETACH PARTITION CONCURRENTLY"
				}
			}
		}
	}
	return ""
}

// flywayNonTransactional reports whether Flyway's PostgreSQL parser
// recognises the statement as one that cannot run in a transaction (it
// misses REINDEX CONCURRENTLY and DETACH PARTITION CONCURRENTLY).
func flywayNonTransactional(n *pg.Node) bool {
	switch nonTransactional(n) {
	case "", "REINDEX CONCURRENTLY", "DETACH PARTITION CONCURRENTLY", "a DO block that commits":
		return false
	}
	return true
}

// txReason says why the statement runs in a transaction.
func (c *Context) txReason() string {
	if c.ExplicitTransaction() {
		return "an explicit BEGIN earlier in the file"
	}
	switch c.sess.tx {
	case source.TxFile:
		return c.Format + " runs each migration file in a transaction"
	case source.TxImplicit:
		return c.Format + " sends the file as one multi-statement query, which PostgreSQL runs as one transaction"
	case source.TxAuto:
		return c.Format + " runs the migration in a transaction because it does not recognise the statement as non-transactional"
	}
	return "the migration runs in a transaction"
}

// noTxFix says how to run a statement outside a transaction with the
// file's migration tool (source.TxAdvisor).
func (c *Context) noTxFix() string {
	if c.ExplicitTransaction() {
		return "move the statement out of the BEGIN ... COMMIT block"
	}
	f, _ := source.Lookup(c.Format)
	return source.NoTxFix(f)
}
