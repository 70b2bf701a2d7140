package checker

import "github.com/phasegate/phasegate/internal/schema"

var vacuumFull = &Rule{
	ID:       "vacuum-full",
	Category: Locking, Severity: Error,
	Summary: "VACUUM FULL",
	Why:     "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock that blocks all queries until it ends",
	Fix:     "use plain VACUUM (no lock against reads or writes), or reclaim space online with pg_repack / pg_squeeze outside the migration",
	Notes:   `Not flagged by squawk (before its PG 19 prefer-repack) or strong_migrations. VACUUM cannot run in a transaction either (see concurrently-in-transaction).`,
	Examples: []Example{
		{SQL: "VACUUM FULL users;", Flagged: true},
		{SQL: "VACUUM (FULL, ANALYZE) users;", Flagged: true},
		{SQL: "VACUUM ANALYZE users;"},
		{SQL: "VACUUM FULL users, orgs;", Flagged: true},
		{SQL: "VACUUM FULL;", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		v := c.Node.GetVacuumStmt()
		if v == nil || !v.IsVacuumcmd || !hasOption(v.Options, "full") {
			return nil
		}
		var tables []schema.QName
		for _, r := range v.Rels {
			if rel := r.GetVacuumRelation().GetRelation(); rel != nil {
				tables = append(tables, c.Catalog.Resolve(rel))
			}
		}
		switch len(tables) {
		case 0:
			return []Finding{finding("VACUUM FULL without a table rewrites every table of the database, each under ACCESS EXCLUSIVE, which blocks all queries on it until its rewrite ends")}
		case 1:
			return []Finding{finding("VACUUM FULL rewrites table %[1]s under ACCESS EXCLUSIVE, which blocks all queries on %[1]s until the rewrite ends", tables[0])}
		}
		return []Finding{finding("VACUUM FULL rewrites tables %s, each under ACCESS EXCLUSIVE, which blocks all queries on it until its rewrite ends", joinNames(tables))}
	},
}
