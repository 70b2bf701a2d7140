package checker

import "fmt"

var renameEnumValue = &Rule{
	ID:       "rename-enum-value",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "ALTER TYPE ... RENAME VALUE of an enum that exists in production",
	Why:     "the previous release still writes and compares the old label; its writes fail and its comparisons stop matching",
	Fix: `1. expand: add the new label (ALTER TYPE ... ADD VALUE), in a migration of its own;
2. deploy code that writes the new label and reads both;
3. backfill rows from the old label to the new one, in batches;
4. in a later release, stop accepting the old label (enum labels cannot be dropped; recreate the type if it must go).`,
	Notes: `strong_migrations flags it (rename_enum_value); squawk and GitLab do not.`,
	Examples: []Example{
		{SQL: "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';", Flagged: true},
		{SQL: "ALTER TYPE mood ADD VALUE 'happy';"},
	},
	Check: func(c *Context) []Finding {
		a := c.Node.GetAlterEnumStmt()
		if a == nil || a.OldVal == "" {
			return nil
		}
		q := c.Catalog.ResolveNames(namesOf(a.TypeName))
		if t := c.Catalog.Types[q]; t != nil && t.Origin.New {
			return nil
		}
		return []Finding{finding("renames label %q of enum %s to %q; the previous release still uses the old label", a.OldVal, q, a.NewVal).withSteps(
			fmt.Sprintf("expand, in a migration of its own: ALTER TYPE %s ADD VALUE IF NOT EXISTS %s;", q.SQL(), stringLiteral(a.NewVal)),
			fmt.Sprintf("deploy code that writes %s and reads both labels;", stringLiteral(a.NewVal)),
			fmt.Sprintf("backfill in batches: UPDATE <each table with a %s column> SET <column> = %s WHERE <column> = %s AND <key> IN (<a batch>);", q, stringLiteral(a.NewVal), stringLiteral(a.OldVal)),
			fmt.Sprintf("in a later release, stop accepting %s (enum labels cannot be dropped; recreate the type if it must go).", stringLiteral(a.OldVal)))}
	},
}
