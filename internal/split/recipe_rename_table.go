package split

import (
	"fmt"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
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
	// security_invoker (PostgreSQL 15+) checks the table's privileges and
	// row security against the previous release's role, as the table did.
	with := ""
	if rc.version == 0 || rc.version >= 15 {
		with = " WITH (security_invoker = true)"
	}
	view := fmt.Sprintf("CREATE VIEW %s%s AS SELECT * FROM %s", q.SQL(), with, nq.SQL())
	grants := grantsOf(nq, q)
	rw := &rewrite{
		what:         fmt.Sprintf("RENAME TO %s", s.Newname),
		keepOriginal: true,
		atomic:       true,
		expand:       []string{view, grants},
		contract:     [][]string{{fmt.Sprintf("DROP VIEW IF EXISTS %s", q.SQL())}},
		expandDown: []string{
			fmt.Sprintf("DROP VIEW IF EXISTS %s", q.SQL()),
			fmt.Sprintf("ALTER TABLE %s RENAME TO %s", nq.SQL(), ident(q.Name)),
		},
		contractDown: []string{view, grants},
		notes:        []string{fmt.Sprintf("until the contract drops it, the previous release reaches %s through the view %s, which gets the table's grants: it reads and writes through it, but TRUNCATE, COPY ... FROM, LOCK TABLE and ALTER TABLE on the old name fail on a view", nq, q)},
	}
	return rw, nil
}

// grantsOf gives view the privileges the roles have on table, as the
// migration runs (the history does not say who has them): the previous
// release's role must keep reaching its table by the old name.
func grantsOf(table, view schema.QName) string {
	return fmt.Sprintf(`-- phasegate:phase expand gives the view of the old name the grants the table has
DO $phasegate$
DECLARE
  g record;
BEGIN
  FOR g IN SELECT grantee, privilege_type FROM information_schema.role_table_grants
           WHERE table_schema = %[1]s AND table_name = %[2]s AND grantee <> current_user LOOP
    EXECUTE format('GRANT %%s ON %[3]s TO %%s', g.privilege_type,
                   CASE WHEN g.grantee = 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(g.grantee) END);
  END LOOP;
END
$phasegate$`, literal(schemaOf(table)), literal(table.Name), strings.ReplaceAll(view.SQL(), "'", "''"))
}

func schemaOf(q schema.QName) string {
	if q.Schema == "" {
		return "public"
	}
	return q.Schema
}
