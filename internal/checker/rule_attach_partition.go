package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var attachPartition = &Rule{
	ID:       "attach-partition",
	Category: Locking, Severity: Info,
	Summary: "ALTER TABLE ... ATTACH PARTITION of a table that exists in production",
	Why:     "attaching scans the whole partition to check its bound, under an ACCESS EXCLUSIVE lock on it, unless a validated CHECK constraint already proves the bound",
	Fix: `1. on the partition: ALTER TABLE part ADD CONSTRAINT part_bound CHECK (<the partition bound as a condition>) NOT VALID;
2. in a later migration: ALTER TABLE part VALIDATE CONSTRAINT part_bound;  (scans without blocking writes)
3. ALTER TABLE parent ATTACH PARTITION part FOR VALUES ...;  (skips the scan: the constraint proves the bound)
4. ALTER TABLE part DROP CONSTRAINT part_bound;`,
	Notes: `Not flagged by squawk or strong_migrations; from PostgreSQL's documentation of ATTACH PARTITION.`,
	Examples: []Example{
		{Base: "CREATE TABLE m (at date) PARTITION BY RANGE (at);\nCREATE TABLE m_2024 (at date);", SQL: "ALTER TABLE m ATTACH PARTITION m_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');", Flagged: true},
		{Base: "CREATE TABLE m (at date) PARTITION BY RANGE (at);", SQL: "CREATE TABLE m_2025 (at date);\nALTER TABLE m ATTACH PARTITION m_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');"},
		{Base: "CREATE TABLE m (at date) PARTITION BY RANGE (at);\nCREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\nCREATE INDEX m_at ON ONLY m (at);\nCREATE INDEX m_2024_at ON m_2024 (at);", SQL: "ALTER INDEX m_at ATTACH PARTITION m_2024_at;"},
	},
	Check: func(c *Context) []Finding {
		at, cmds := c.AlterTable()
		if at == nil || at.Objtype == pg.ObjectType_OBJECT_INDEX {
			return nil // ALTER INDEX ... ATTACH PARTITION checks no rows
		}
		var out []Finding
		for _, cmd := range cmds {
			if pc := cmd.Def.GetPartitionCmd(); cmd.Subtype == pg.AlterTableType_AT_AttachPartition && pc != nil {
				if q := c.Catalog.Resolve(pc.Name); c.Existing(q) {
					out = append(out, finding("attaches %s, scanning it under ACCESS EXCLUSIVE unless a validated CHECK proves the bound", q))
				}
			}
		}
		return out
	},
}
