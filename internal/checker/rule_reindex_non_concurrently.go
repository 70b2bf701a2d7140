package checker

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var reindexNonConcurrently = &Rule{
	ID:       "reindex-non-concurrently",
	Category: Locking, Severity: Warning,
	Summary: "REINDEX without CONCURRENTLY",
	Why:     "REINDEX blocks writes to the table, and reads that use the index, until the index is rebuilt",
	Fix: `PostgreSQL 12+: REINDEX ... CONCURRENTLY, outside a transaction.
Before 12:
1. CREATE INDEX CONCURRENTLY a replacement with the same definition;
2. DROP INDEX CONCURRENTLY the old one;
3. ALTER INDEX the replacement RENAME TO the old name.`,
	Notes: `squawk flags it (require-concurrent-reindex) regardless of version, although CONCURRENTLY
exists only since PostgreSQL 12; phasegate gives the recipe that works on the target version.`,
	Examples: []Example{
		{SQL: "REINDEX INDEX users_email_idx;", Flagged: true},
		{SQL: "REINDEX INDEX CONCURRENTLY users_email_idx;"},
		{SQL: "REINDEX TABLE users;", Flagged: true, Version: 11},
		{SQL: "REINDEX TABLE users;", Flagged: true},
		{SQL: "REINDEX SCHEMA public;", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		r := c.Node.GetReindexStmt()
		if r == nil || hasOption(r.Params, "concurrently") {
			return nil
		}
		f := finding("%s", reindexMessage(c, r))
		if c.Version < 12 {
			old := "the old index"
			if r.Kind == pg.ReindexObjectType_REINDEX_OBJECT_INDEX && r.Relation != nil {
				old = ident(r.Relation.Relname).String()
			}
			f = f.withSteps(
				fmt.Sprintf("PostgreSQL %d has no REINDEX CONCURRENTLY: CREATE INDEX CONCURRENTLY a replacement with the definition of %s, under a new name;", c.Version, old),
				fmt.Sprintf("DROP INDEX CONCURRENTLY %s;", old),
				fmt.Sprintf("ALTER INDEX <the replacement> RENAME TO %s;", old))
		} else {
			f = f.withSteps(sqlStep("", reindexConcurrently(c.Stmt.Text), "outside a transaction, like CREATE INDEX CONCURRENTLY"))
		}
		return []Finding{f}
	},
}

// reindexMessage says what a REINDEX without CONCURRENTLY blocks, naming
// the index or table it rebuilds.
func reindexMessage(c *Context, r *pg.ReindexStmt) string {
	switch {
	case r.Kind == pg.ReindexObjectType_REINDEX_OBJECT_INDEX && r.Relation != nil:
		q := c.Catalog.Resolve(r.Relation)
		table := "its table"
		if ix := c.Catalog.Indexes[q]; ix != nil {
			table = ix.Table.String()
		}
		return fmt.Sprintf("REINDEX INDEX %s without CONCURRENTLY blocks writes to %s, and reads that use the index, until the index is rebuilt", q, table)
	case r.Kind == pg.ReindexObjectType_REINDEX_OBJECT_TABLE && r.Relation != nil:
		return fmt.Sprintf("REINDEX TABLE %[1]s without CONCURRENTLY blocks writes to %[1]s, and reads that use its indexes, until they are rebuilt", c.Catalog.Resolve(r.Relation))
	case r.Kind == pg.ReindexObjectType_REINDEX_OBJECT_SCHEMA:
		return fmt.Sprintf("REINDEX SCHEMA %s without CONCURRENTLY blocks writes to each of its tables, and reads that use their indexes, while the table's indexes are rebuilt", r.Name)
	}
	what := "REINDEX DATABASE"
	if r.Kind == pg.ReindexObjectType_REINDEX_OBJECT_SYSTEM {
		what = "REINDEX SYSTEM"
	}
	if r.Name != "" {
		what += " " + r.Name
	}
	return what + " without CONCURRENTLY blocks writes to each table of the database, and reads that use their indexes, while the table's indexes are rebuilt"
}

var reindexKind = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?is)^(\s*REINDEX\s*(?:\([^)]*\)\s*)?(?:INDEX|TABLE|SCHEMA|DATABASE))\s`)
})

// reindexConcurrently is the REINDEX statement text with CONCURRENTLY
// after its kind (REINDEX INDEX CONCURRENTLY name, which PostgreSQL 12 and
// 13 accept too), or "" when the text does not read as expected.
func reindexConcurrently(text string) string {
	m := reindexKind().FindStringSubmatchIndex(text)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(text[:m[3]]+" CONCURRENTLY"+text[m[3]:]) + ";"
}
