package checker

import (
	pg "github.com/pganalyze/pg_query_go/v5"
)

var validateInSameTransaction = register(&Rule{
	ID:       "validate-in-same-transaction",
	Category: Locking, Severity: Error,
	Summary: "VALIDATE CONSTRAINT in the same transaction that added the constraint NOT VALID",
	Why:     "the ADD CONSTRAINT's strong lock is held until the transaction commits, so the validation scan runs under it and NOT VALID gains nothing",
	Fix:     "move VALIDATE CONSTRAINT to a later migration file (its own transaction), or run the file without a transaction",
	Notes: `squawk misses this because it assumes no wrapping transaction; strong_migrations and GitLab put
the validation in a separate migration. phasegate knows whether the migration tool wraps the file in a
transaction (goose, dbmate, Flyway, Diesel and pop do; golang-migrate and Prisma send the file as one
multi-statement query, which PostgreSQL runs as one transaction too).`,
	Examples: []Example{
		{SQL: "BEGIN;\nALTER TABLE users ADD CONSTRAINT email_lower CHECK (email = lower(email)) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT email_lower;\nCOMMIT;", Flagged: true},
		{SQL: "ALTER TABLE users ADD CONSTRAINT email_lower CHECK (email = lower(email)) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT email_lower;"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		if !c.InTransaction() || !c.AlteredInTransaction(q) {
			return nil
		}
		var out []Finding
		t := c.Catalog.Tables[q]
		for _, cmd := range cmds {
			if cmd.Subtype != pg.AlterTableType_AT_ValidateConstraint || t == nil {
				continue
			}
			if con := t.Constraints[cmd.Name]; con != nil && con.Origin.New {
				out = append(out, finding("validates %s in the transaction that added it; the scan runs under the lock ADD CONSTRAINT took on %s", cmd.Name, q))
			}
		}
		return out
	},
})
