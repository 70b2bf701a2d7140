package checker

var domainConstraint = register(&Rule{
	ID:       "domain-constraint",
	Category: Locking, Severity: Warning,
	Summary: "ALTER DOMAIN ... ADD CONSTRAINT, or CREATE DOMAIN with a constraint",
	Why:     "adding a constraint to a domain checks every column of every table that uses it, under locks, and a constrained domain cannot later get a new constraint cheaply",
	Fix: `1. put the CHECK on the tables instead of on the domain: ALTER TABLE t ADD CONSTRAINT ... CHECK (col ...) NOT VALID;
2. in a later migration: ALTER TABLE t VALIDATE CONSTRAINT ...;
If it must be on the domain: ALTER DOMAIN d ADD CONSTRAINT ... NOT VALID, and VALIDATE CONSTRAINT in a later migration.`,
	Notes: `squawk flags both (ban-alter-domain-with-add-constraint, ban-create-domain-with-constraint).`,
	Examples: []Example{
		{Base: "CREATE DOMAIN email AS text;", SQL: "ALTER DOMAIN email ADD CONSTRAINT email_at CHECK (VALUE LIKE '%@%');", Flagged: true},
		{SQL: "CREATE DOMAIN positive AS int CHECK (VALUE > 0);", Flagged: true},
		{SQL: "CREATE DOMAIN label AS text;"},
	},
	Check: func(c *Context) []Finding {
		if ad := c.Node.GetAlterDomainStmt(); ad != nil && ad.Subtype == "C" {
			if con := ad.Def.GetConstraint(); con != nil && con.SkipValidation {
				return nil
			}
			return []Finding{finding("adds a constraint to a domain, checking every column that uses it")}
		}
		if cd := c.Node.GetCreateDomainStmt(); cd != nil && len(cd.Constraints) > 0 {
			return []Finding{finding("creates a domain with a constraint; changing it later checks every column that uses it")}
		}
		return nil
	},
})
