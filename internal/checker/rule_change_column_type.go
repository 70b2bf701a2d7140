package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var changeColumnType = &Rule{
	ID:       "change-column-type",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "ALTER COLUMN ... TYPE that narrows the column or changes its type family",
	Why:     "the previous release reads and writes the old type: values it writes may no longer fit (varchar(255) to varchar(50)) or its driver decodes a different type",
	Fix: `change the type in steps across releases:
1. expand: add a new column of the new type; keep it in sync with the old one (trigger or dual writes); backfill in batches;
2. deploy code that uses the new column;
3. contract (deferred): drop the old column (and rename the new one in a later release if the name matters).
Widening changes (varchar(n) to a larger n or to text, numeric precision up, int to bigint) are not flagged here.
phasegate split refuses it and prints these steps: a column has one type, and both releases use it by one name.`,
	Notes: `squawk flags every type change (changing-column-type); strong_migrations and GitLab list the safe
ones. phasegate judges against the type the history gives the column: a widening is expand, a narrowing or a
change of type family is contract. When the history cannot tell the current type, the change counts as
narrowing. A column that leaves the transaction with the type name it had when the transaction began (an
enum renamed away and created again under its name, or created under a temporary name and renamed into
place) is judged by what the type of that name lost (see drop-object): with the same labels or more it is
no narrowing. The rewrite itself is the locking rule
alter-column-type-rewrite.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ALTER COLUMN email TYPE varchar(100);", Flagged: true},
		{SQL: "ALTER TABLE users ALTER COLUMN name TYPE varchar(50);", Flagged: true},
		{SQL: "ALTER TABLE users ALTER COLUMN email TYPE varchar(500);"},
		{SQL: "ALTER TABLE users ALTER COLUMN email TYPE text;"},
		{SQL: "ALTER TABLE events ALTER COLUMN kind TYPE bigint;"},
		{Base: "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE t (m mood);",
			SQL: "BEGIN;\nALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\nALTER TABLE t ALTER COLUMN m TYPE mood USING m::text::mood;\nCOMMIT;"},
		{Base: "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE t (m mood);",
			SQL: "BEGIN;\nALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ('ok');\nALTER TABLE t ALTER COLUMN m TYPE mood USING m::text::mood;\nCOMMIT;", Flagged: true},
		{Base: "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE t (m mood);",
			SQL: "BEGIN;\nCREATE TYPE mood_new AS ENUM ('sad', 'ok', 'happy');\nALTER TABLE t ALTER COLUMN m TYPE mood_new USING m::text::mood_new;\nALTER TYPE mood RENAME TO mood_old;\nALTER TYPE mood_new RENAME TO mood;\nDROP TYPE mood_old;\nCOMMIT;"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			def := cmd.Def.GetColumnDef()
			if cmd.Subtype != pg.AlterTableType_AT_AlterColumnType || def == nil || !c.ExistingColumn(q, cmd.Name) {
				continue
			}
			v := c.typeChange(q, cmd.Name, def)
			if !v.narrows || c.sameTypeAgain(q, cmd.Name) {
				continue
			}
			if !v.known {
				out = append(out, finding("changes the type of %s.%s to %s; %s, so phasegate assumes the previous release breaks", q, cmd.Name, v.to, v.reason).at(c.Pos(def.Location)))
				continue
			}
			out = append(out, finding("changes %s.%s from %s to %s: %s", q, cmd.Name, v.from, v.to, v.reason).at(c.Pos(def.Location)))
		}
		return out
	},
}
