package split

import (
	"fmt"

	pg "github.com/pganalyze/pg_query_go/v5"

	"github.com/phasegate/phasegate/schema"
)

// renameTable cuts ALTER TABLE a RENAME TO b: the rename stays, and a view
// under the old name keeps the previous release working (a view over one
// table with no aggregates is updatable: it reads, inserts, updates and
// deletes through it); the contract drops the view.
func renameTable(rc *recipeContext, s *pg.RenameStmt) (*rewrite, error) {
	q := rc.cat.Resolve(s.Relation)
	t := rc.existingTable(q)
	if t == nil {
		return nil, nil
	}
	if t.Kind != schema.OrdinaryTable {
		return nil, rc.refuse(fmt.Sprintf("%s is not a table", q), "Rename it by hand: create the new object, move its readers, drop the old one in a deferred migration.")
	}
	nq := schema.QName{Schema: q.Schema, Name: s.Newname}
	view := fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM %s", q.SQL(), nq.SQL())
	rw := &rewrite{
		what:         fmt.Sprintf("RENAME TO %s", s.Newname),
		keepOriginal: true,
		atomic:       true,
		expand:       []string{view},
		contract:     [][]string{{fmt.Sprintf("DROP VIEW IF EXISTS %s", q.SQL())}},
		expandDown: []string{
			fmt.Sprintf("DROP VIEW IF EXISTS %s", q.SQL()),
			fmt.Sprintf("ALTER TABLE %s RENAME TO %s", nq.SQL(), ident(q.Name)),
		},
		contractDown: []string{view},
		notes:        []string{fmt.Sprintf("until the contract drops it, the previous release reaches %s through the view %s: it reads and writes through it, but TRUNCATE, COPY ... FROM, LOCK TABLE and ALTER TABLE on the old name fail on a view", nq, q)},
	}
	return rw, nil
}
