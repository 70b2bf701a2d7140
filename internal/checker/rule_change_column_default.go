package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

var changeColumnDefault = &Rule{
	ID:       "change-column-default",
	Category: Compatibility, Phase: Expand, Severity: Info,
	Summary: "ALTER COLUMN ... SET DEFAULT on an existing column (advisory)",
	Why:     "rows the previous release inserts get the new default; an ORM that caches defaults (Rails) keeps writing the old one explicitly",
	Fix:     "check that both releases accept rows with either default while they run side by side",
	Notes: `strong_migrations flags it (change_column_default) for Rails' partial inserts; squawk does not. A
default set back to what it was when the transaction began (after a DROP DEFAULT around a type change)
changes nothing: not flagged.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ALTER COLUMN status SET DEFAULT 'pending';", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN tier text;\nALTER TABLE users ALTER COLUMN tier SET DEFAULT 'free';"},
		{SQL: "BEGIN;\nALTER TABLE users ALTER COLUMN status DROP DEFAULT;\nALTER TABLE users ALTER COLUMN status SET DEFAULT 'active';\nCOMMIT;"},
		{SQL: "BEGIN;\nDO $$ BEGIN DO $x$ BEGIN ALTER TABLE users ALTER COLUMN status SET DEFAULT 'pending'; END $x$; END $$;\nALTER TABLE users ALTER COLUMN status SET DEFAULT 'active';\nCOMMIT;"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			if cmd.Subtype == pg.AlterTableType_AT_ColumnDefault && cmd.Def != nil && c.ExistingColumn(q, cmd.Name) && !c.sameDefaultAsBefore(q, cmd.Name, cmd.Def) {
				out = append(out, finding("changes the default of %s.%s; inserts of the previous release get the new default", q, cmd.Name))
			}
		}
		return out
	},
}

// sameDefaultAsBefore reports whether def is the default column col of
// table q had when the transaction began.
func (c *Context) sameDefaultAsBefore(q schema.QName, col string, def *pg.Node) bool {
	t := c.BeforeTransaction().Table(q)
	if t == nil {
		return false
	}
	cc := t.Column(col)
	if cc == nil || cc.Default == nil {
		return false
	}
	was := exprSQL(cc.Default)
	return was != "" && was == exprSQL(def)
}
