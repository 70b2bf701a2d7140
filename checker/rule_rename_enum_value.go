package checker

var renameEnumValue = register(&Rule{
	ID:       "rename-enum-value",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "ALTER TYPE ... RENAME VALUE of an enum that exists in production",
	Why:     "the previous release still writes and compares the old label; its writes fail and its comparisons stop matching",
	Fix:     "add the new label (ALTER TYPE ... ADD VALUE), deploy code that writes the new label and reads both, backfill rows in batches, and stop accepting the old label in a later release (enum labels cannot be dropped; recreate the type if it must go)",
	Notes:   `strong_migrations flags it (rename_enum_value); squawk and GitLab do not.`,
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
		return []Finding{finding("renames label %q of enum %s to %q; the previous release still uses the old label", a.OldVal, q, a.NewVal)}
	},
})
