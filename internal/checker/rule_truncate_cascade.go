package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var truncateCascade = &Rule{
	ID:       "truncate-cascade",
	Category: Other, Severity: Error,
	Summary: "TRUNCATE ... CASCADE",
	Why:     "CASCADE also empties every table that references the truncated one, recursively: data far from the statement is lost",
	Fix:     "truncate the referencing tables by name, so the statement says what it deletes",
	Notes:   `squawk flags it (ban-truncate-cascade).`,
	Examples: []Example{
		{SQL: "TRUNCATE orgs CASCADE;", Flagged: true},
		{SQL: "TRUNCATE orgs;"},
	},
	Check: func(c *Context) []Finding {
		if t := c.Node.GetTruncateStmt(); t != nil && t.Behavior == pg.DropBehavior_DROP_CASCADE {
			return []Finding{finding("TRUNCATE ... CASCADE also empties every table that references these")}
		}
		return nil
	},
}
