package checker

import (
	"fmt"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var detachPartitionNonConcurrently = &Rule{
	ID:       "detach-partition-non-concurrently",
	Category: Locking, Severity: Warning,
	Summary: "ALTER TABLE ... DETACH PARTITION without CONCURRENTLY (PostgreSQL 14+)",
	Why:     "DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned table, blocking every query on all partitions",
	Fix: `1. ALTER TABLE parent DETACH PARTITION part CONCURRENTLY;  (outside a transaction)
2. if it is interrupted: ALTER TABLE parent DETACH PARTITION part FINALIZE;`,
	Notes: `squawk flags it on every version (require-concurrent-partition-detach); CONCURRENTLY exists since PostgreSQL 14, so phasegate flags it only from 14.`,
	Examples: []Example{
		{Base: "CREATE TABLE m (at date) PARTITION BY RANGE (at);\nCREATE TABLE m_2020 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');", SQL: "ALTER TABLE m DETACH PARTITION m_2020;", Flagged: true},
		{Base: "CREATE TABLE m (at date) PARTITION BY RANGE (at);\nCREATE TABLE m_2020 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');", SQL: "ALTER TABLE m DETACH PARTITION m_2020 CONCURRENTLY;"},
		{Base: "CREATE TABLE m (at date) PARTITION BY RANGE (at);\nCREATE TABLE m_2020 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');", SQL: "ALTER TABLE m DETACH PARTITION m_2020;", Version: 13},
	},
	Check: func(c *Context) []Finding {
		if c.Version < 14 {
			return nil
		}
		_, cmds, q := c.AlterExisting()
		var out []Finding
		for _, cmd := range cmds {
			if pc := cmd.Def.GetPartitionCmd(); cmd.Subtype == pg.AlterTableType_AT_DetachPartition && pc != nil && !pc.Concurrent {
				detach := fmt.Sprintf("ALTER TABLE %s DETACH PARTITION %s", q.SQL(), c.Catalog.Resolve(pc.Name).SQL())
				out = append(out, finding("detaches %s from %s without CONCURRENTLY, locking %s against all queries", c.Catalog.Resolve(pc.Name), q, q).withSteps(
					detach+" CONCURRENTLY;  (outside a transaction: a migration of its own)",
					"if it is interrupted: "+detach+" FINALIZE;"))
			}
		}
		return out
	},
}
