package checker

var truncateTable = &Rule{
	ID:       "truncate-table",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "TRUNCATE of a table that exists in production",
	Why:     "it deletes every row the previous release still reads, under an ACCESS EXCLUSIVE lock that blocks all queries on the table",
	Fix: `1. stop using the data in this release;
2. remove it in a deferred migration one release later; to empty a large table without a long lock, delete in batches.`,
	Notes: `squawk flags only TRUNCATE ... CASCADE (ban-truncate-cascade, see truncate-cascade here).`,
	Examples: []Example{
		{SQL: "TRUNCATE events;", Flagged: true},
		{SQL: "CREATE TABLE staging (id int);\nTRUNCATE staging;"},
	},
	Check: func(c *Context) []Finding {
		t := c.Node.GetTruncateStmt()
		if t == nil {
			return nil
		}
		var out []Finding
		for _, r := range t.Relations {
			if rv := r.GetRangeVar(); rv != nil {
				if q := c.Catalog.Resolve(rv); c.Existing(q) {
					out = append(out, finding("truncates %s, deleting every row the previous release still reads", q))
				}
			}
		}
		return out
	},
}
