package checker

import (
	pg "github.com/pganalyze/pg_query_go/v5"
)

var addForeignKeyValidated = register(&Rule{
	ID:       "add-foreign-key-validated",
	Category: Locking, Severity: Error,
	Summary: "adding a FOREIGN KEY without NOT VALID to a table that exists in production",
	Why:     "validating the key scans the whole table while SHARE ROW EXCLUSIVE locks on it and on the referenced table block their writes",
	Fix: `1. ALTER TABLE t ADD CONSTRAINT t_fk FOREIGN KEY (...) REFERENCES r (...) NOT VALID;  (brief lock, checks new rows only)
2. in a separate transaction (a later migration file): ALTER TABLE t VALIDATE CONSTRAINT t_fk;  (scans without blocking writes)`,
	Notes: `squawk (adding-foreign-key-constraint), strong_migrations (add_foreign_key) and GitLab
(add_concurrent_foreign_key) agree. A REFERENCES clause on a column added in the same statement is
flagged too when the table exists: the new column is empty, but the referenced table is still locked;
phasegate reports that as missing-lock-timeout instead, since no scan happens.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id);", Flagged: true},
		{SQL: "ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;"},
		{SQL: "CREATE TABLE t (id int, org_id bigint REFERENCES orgs (id));"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			con := cmd.Def.GetConstraint()
			if cmd.Subtype != pg.AlterTableType_AT_AddConstraint || con == nil || con.Contype != pg.ConstrType_CONSTR_FOREIGN || con.SkipValidation {
				continue
			}
			name := ident(orDefault(con.Conname, q.Name+"_fkey"))
			out = append(out, finding("adds foreign key%s to %s without NOT VALID; the validation scan blocks writes to %s and %s",
				nameSuffix(con.Conname), q, q, c.Catalog.Resolve(con.Pktable)).at(c.Pos(con.Location)).
				withFix("ALTER TABLE %s ADD CONSTRAINT %s FOREIGN KEY (...) REFERENCES ... NOT VALID; then, in a later migration: ALTER TABLE %s VALIDATE CONSTRAINT %s;", q, name, q, name))
		}
		return out
	},
})
