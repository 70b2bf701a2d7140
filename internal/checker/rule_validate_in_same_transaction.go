package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var validateInSameTransaction = &Rule{
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
		// A constraint replaced under its name, or renamed, in the
		// transaction is still the one it added.
		{SQL: "ALTER TABLE users ADD CONSTRAINT email_lower CHECK (email = lower(email)) NOT VALID;\nBEGIN;\nALTER TABLE users DROP CONSTRAINT email_lower, ADD CONSTRAINT email_lower CHECK (email = lower(email)) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT email_lower;\nCOMMIT;", Flagged: true},
		{SQL: "BEGIN;\nALTER TABLE users ADD CONSTRAINT email_lower CHECK (email = lower(email)) NOT VALID;\nALTER TABLE users RENAME CONSTRAINT email_lower TO email_is_lower;\nALTER TABLE users VALIDATE CONSTRAINT email_is_lower;\nCOMMIT;", Flagged: true},
		// A DO block is one transaction.
		{SQL: "DO $$ BEGIN\n  ALTER TABLE users ADD CONSTRAINT email_lower CHECK (email = lower(email)) NOT VALID;\n  ALTER TABLE users VALIDATE CONSTRAINT email_lower;\nEND $$;", Flagged: true},
		// Two constraints added NOT VALID earlier, validated together in a
		// later transaction: neither was added by it.
		{SQL: "ALTER TABLE users ADD CONSTRAINT email_lower CHECK (email = lower(email)) NOT VALID;\nALTER TABLE users ADD CONSTRAINT name_set CHECK (name IS NOT NULL) NOT VALID;\nBEGIN;\nALTER TABLE users VALIDATE CONSTRAINT email_lower;\nALTER TABLE users VALIDATE CONSTRAINT name_set;\nCOMMIT;"},
	},
	Check: func(c *Context) []Finding {
		// A transaction block, a file the tool runs in one, or a DO block:
		// AddedInTransaction knows only constraints of the one open.
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			// Only a constraint this transaction added: one added earlier
			// (two validations in one transaction) holds no lock of its ADD.
			if cmd.Subtype == pg.AlterTableType_AT_ValidateConstraint && c.AddedInTransaction(q, cmd.Name) {
				out = append(out, finding("validates %s in the transaction that added it; the scan runs under the lock ADD CONSTRAINT took on %s", cmd.Name, q))
			}
		}
		return out
	},
}
