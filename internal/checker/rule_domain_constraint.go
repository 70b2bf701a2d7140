package checker

import (
	"sort"

	"github.com/phasegate/phasegate/internal/schema"
)

var domainConstraint = &Rule{
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
		{Base: "CREATE DOMAIN email AS text;\nCREATE TABLE contacts (id int, work email, home email[]);", SQL: "ALTER DOMAIN email ADD CHECK (VALUE <> '');", Flagged: true},
		{SQL: "CREATE DOMAIN positive AS int CHECK (VALUE > 0);", Flagged: true},
		{SQL: "CREATE DOMAIN label AS text;"},
	},
	Check: func(c *Context) []Finding {
		if ad := c.Node.GetAlterDomainStmt(); ad != nil && ad.Subtype == "C" {
			if con := ad.Def.GetConstraint(); con != nil && con.SkipValidation {
				return nil
			}
			q := c.Catalog.ResolveNames(namesOf(ad.TypeName))
			con := "a constraint"
			if name := ad.Def.GetConstraint().GetConname(); name != "" {
				con = "constraint " + name
			}
			uses := "every column that uses it"
			if cols := domainColumns(c, q); len(cols) > 0 {
				uses += " (" + joinWords(cols) + ")"
			}
			return []Finding{finding("adds %s to domain %s: PostgreSQL checks %s, under locks", con, q, uses)}
		}
		if cd := c.Node.GetCreateDomainStmt(); cd != nil && len(cd.Constraints) > 0 {
			return []Finding{finding("creates domain %s with a constraint; changing its constraints later checks every column that uses it", c.Catalog.ResolveNames(namesOf(cd.Domainname)))}
		}
		return nil
	},
}

// domainColumns names the columns the catalog knows of type domain q (or
// an array of it), as table.column.
func domainColumns(c *Context, q schema.QName) []string {
	var out []string
	for tq, t := range c.Catalog.Tables {
		for _, col := range t.Columns {
			if col.Type.Name == q.String() {
				out = append(out, tq.String()+"."+col.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}
