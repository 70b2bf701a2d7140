package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var alterColumnTypeRewrite = &Rule{
	ID:       "alter-column-type-rewrite",
	Category: Locking, Severity: Error,
	Summary: "ALTER COLUMN ... TYPE that rewrites (or scans) a table that exists in production",
	Why:     "the table and its indexes are rewritten under an ACCESS EXCLUSIVE lock that blocks all queries until it ends",
	Fix: `1. expand: add a new column of the new type; keep it in sync (a trigger, or code that writes both);
2. backfill it in batches;
3. deploy code that uses only the new column;
4. contract: drop the old column in a deferred migration.
No rewrite happens for: varchar(n) to varchar(m >= n) or text, text to varchar, numeric(p,s) to numeric(q >= p,s) or numeric, raising timestamp/time/interval precision, cidr to inet.`,
	Notes: `squawk flags every type change (changing-column-type); strong_migrations and GitLab list the safe
ones, and so does phasegate, judging against the type the replayed history gives the column. When the
history cannot tell the current type, phasegate assumes a rewrite and says why. timestamp to timestamptz
skips the rewrite on PostgreSQL 12+ only when the session time zone is UTC, which phasegate cannot see:
it is flagged. The rewrite is of the table, so a column added earlier in the same change is flagged too
when the table exists (ADD COLUMN x int, then ALTER COLUMN x TYPE bigint rewrites every row; measured on
PostgreSQL 15); only the compatibility rule change-column-type ignores columns the previous release does
not know. On the shared corpora most of squawk's changing-column-type findings are varchar widenings,
varchar to text and changes to the type the column already has, which PostgreSQL 16 does without a
rewrite or an index rebuild (checked: the table's and the index's relfilenode stay the same); phasegate
reports only the ACCESS EXCLUSIVE lock they take (missing-lock-timeout).`,
	Examples: []Example{
		{SQL: "ALTER TABLE events ALTER COLUMN kind TYPE bigint;", Flagged: true},
		{SQL: "ALTER TABLE users ALTER COLUMN name TYPE varchar(50);", Flagged: true},
		{SQL: "ALTER TABLE users ALTER COLUMN email TYPE varchar(500);"},
		{SQL: "ALTER TABLE users ALTER COLUMN email TYPE text;"},
		{SQL: "ALTER TABLE users ALTER COLUMN name TYPE varchar;"},
		{SQL: "ALTER TABLE users ADD COLUMN visits int;\nALTER TABLE users ALTER COLUMN visits TYPE bigint;", Flagged: true},
		{SQL: "CREATE TABLE t (id int, a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;"},
	},
	Check: func(c *Context) []Finding {
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			def := cmd.Def.GetColumnDef()
			// The table exists (AlterExisting) and is rewritten whether or
			// not the column is new; a column the same statement adds has
			// no type to compare with.
			if cmd.Subtype != pg.AlterTableType_AT_AlterColumnType || def == nil || c.addsColumn(q, cmd.Name) {
				continue
			}
			v := c.typeChange(q, cmd.Name, def)
			if !v.rewrite {
				continue
			}
			if !v.known {
				out = append(out, finding("changes the type of %s.%s to %s; %s, so phasegate assumes a table rewrite", q, cmd.Name, v.to, v.reason).at(c.Pos(def.Location)))
				continue
			}
			out = append(out, finding("changes %s.%s from %s to %s, rewriting the table under ACCESS EXCLUSIVE: %s", q, cmd.Name, v.from, v.to, v.reason).at(c.Pos(def.Location)))
		}
		return out
	},
}
