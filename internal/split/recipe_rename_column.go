package split

import (
	"fmt"
	"sort"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

// renameColumn cuts ALTER TABLE t RENAME COLUMN a TO b, which both
// releases need under their own name, into pgroll's recipe:
//
//   - expand: add b (same type, collation and default; NOT NULL as a
//     CHECK (b IS NOT NULL) NOT VALID), a trigger that keeps a and b equal
//     for rows either release writes, the CHECK and FOREIGN KEY constraints
//     of a recreated on b NOT VALID;
//   - online: a batched backfill of the rows written before the trigger,
//     then a concurrent build of each index on a, for b;
//   - contract: validate what was added NOT VALID; then drop the trigger
//     and its function, make b NOT NULL, drop a (its indexes and
//     constraints go with it) and give its indexes and constraints their
//     names back.
func renameColumn(rc *recipeContext, s *pg.RenameStmt) (*rewrite, error) {
	q := rc.cat.Resolve(s.Relation)
	t := rc.existingTable(q)
	if t == nil {
		return nil, nil
	}
	a, b := s.Subname, s.Newname
	col := t.Column(a)
	what := fmt.Sprintf("RENAME COLUMN %s TO %s", a, b)
	manual := fmt.Sprintf(`Rename it by hand in three steps:
1. expand: ALTER TABLE %[1]s ADD COLUMN %[3]s ...; keep %[2]s and %[3]s equal with a trigger (or have both releases write both); backfill %[3]s in batches;
2. deploy code that uses only %[3]s;
3. contract (deferred): drop the trigger, then ALTER TABLE %[1]s DROP COLUMN %[2]s.`, q.SQL(), ident(a), ident(b))
	switch {
	case col == nil || col.TypeName == nil:
		return nil, rc.refuse(fmt.Sprintf("the history does not say how %s.%s is defined, so split cannot add its twin", q, a), manual)
	case col.Identity || col.Generated:
		return nil, rc.refuse(fmt.Sprintf("%s.%s is an identity or generated column: its twin cannot be kept equal by a trigger", q, a), manual)
	case col.HasDefault && col.Default == nil:
		return nil, rc.refuse(fmt.Sprintf("%s.%s is a serial column, or its default is not in the history: its twin would need a sequence of its own", q, a), manual)
	case col.Default != nil && !stableDefault(col.Default):
		return nil, rc.refuse(fmt.Sprintf("the default of %s.%s is volatile: a trigger cannot tell a value a release wrote from a default", q, a), manual)
	case rc.version > 0 && rc.version < 11:
		return nil, rc.refuse(fmt.Sprintf("PostgreSQL %d cannot commit inside a DO block, which the batched backfill needs (11+)", rc.version), manual)
	case t.Partitioned:
		return nil, rc.refuse(fmt.Sprintf("%s is partitioned: split does not write row triggers and concurrent index builds for every partition", q), manual)
	}
	for _, other := range t.Columns {
		if other.Generated && other.Name != a {
			return nil, rc.refuse(fmt.Sprintf("%s has the generated column %s, which may be computed from %s: the contract's DROP COLUMN would fail", q, other.Name, a), manual)
		}
	}
	for _, con := range t.Constraints {
		if con.Kind == schema.PrimaryKey && contains(con.Columns, a) {
			return nil, rc.refuse(fmt.Sprintf("%s.%s is part of the primary key", q, a), manual)
		}
		if con.Kind == schema.Exclusion && contains(con.Columns, a) {
			return nil, rc.refuse(fmt.Sprintf("%s.%s is part of the exclusion constraint %s", q, a, con.Name), manual)
		}
	}
	for _, other := range rc.cat.Tables {
		for _, con := range other.Constraints {
			if con.Kind == schema.ForeignKey && con.Refs == q && con.Def != nil && mentionsList(con.Def.PkAttrs, a) {
				return nil, rc.refuse(fmt.Sprintf("%s.%s is referenced by the foreign key %s of %s", q, a, con.Name, other.Name), manual)
			}
		}
	}

	typ, err := typeSQL(col.TypeName)
	if err != nil {
		return nil, err
	}
	def := "NULL"
	columnDef := ident(b) + " " + typ
	if col.Collate != nil {
		columnDef += " COLLATE " + qualifiedSQL(col.Collate.Collname)
	}
	if col.Default != nil {
		if def, err = exprSQL(col.Default); err != nil {
			return nil, err
		}
		columnDef += " DEFAULT " + def
	}
	tbl := q.SQL()
	fn := schema.QName{Schema: q.Schema, Name: objectName(q.Name, b, "sync")}
	trigger := ident(fn.Name)
	notNull := objectName(q.Name, b, "not_null")
	rw := &rewrite{what: what}
	rw.expand = append(rw.expand, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s", tbl, columnDef))
	rw.expandDown = append(rw.expandDown, fmt.Sprintf("ALTER TABLE %s DROP COLUMN IF EXISTS %s", tbl, ident(b)))
	var validate, contract []string
	if col.NotNull {
		rw.expand = append(rw.expand, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID", tbl, ident(notNull), ident(b)))
		validate = append(validate, fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", tbl, ident(notNull)))
	}
	// Constraints on a, recreated on b; their names come back once a is gone.
	var renames, unrename, restore []string // the contract's renames; the down's
	for _, con := range sortedConstraints(t) {
		if con.Def == nil || con.NotNullOf == a || !contains(con.Columns, a) && !mentions(con.Def, a) {
			continue
		}
		name := objectName(con.Name, b)
		switch con.Kind {
		case schema.Check, schema.ForeignKey:
			c := renamedColumn(standalone(con), a, b)
			c.Conname, c.SkipValidation, c.InitiallyValid = name, true, false
			add, err := deparse(alterCmd(s.Relation, &pg.AlterTableCmd{Subtype: pg.AlterTableType_AT_AddConstraint, Def: &pg.Node{Node: &pg.Node_Constraint{Constraint: c}}}))
			if err != nil {
				return nil, err
			}
			rw.expand = append(rw.expand, add)
			validate = append(validate, fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", tbl, ident(name)))
			renames = append(renames, fmt.Sprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s", tbl, ident(name), ident(con.Name)))
			unrename = append(unrename, fmt.Sprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s", tbl, ident(con.Name), ident(name)))
			orig, err := deparse(alterCmd(s.Relation, &pg.AlterTableCmd{Subtype: pg.AlterTableType_AT_AddConstraint, Def: &pg.Node{Node: &pg.Node_Constraint{Constraint: standalone(con)}}}))
			if err != nil {
				return nil, err
			}
			restore = append(restore, orig)
		case schema.Unique:
			ix := &pg.IndexStmt{Idxname: name, Relation: s.Relation, AccessMethod: "btree", Unique: true, Concurrent: true}
			for _, k := range con.Columns {
				if k == a {
					k = b
				}
				ix.IndexParams = append(ix.IndexParams, indexElem(k))
			}
			build, err := deparse(&pg.Node{Node: &pg.Node_IndexStmt{IndexStmt: ix}})
			if err != nil {
				return nil, err
			}
			rw.online = append(rw.online, onlineStep{name: "index_" + name, sql: build, down: fmt.Sprintf("DROP INDEX CONCURRENTLY IF EXISTS %s", schema.QName{Schema: q.Schema, Name: name}.SQL())})
			renames = append(renames, fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s UNIQUE USING INDEX %s", tbl, ident(con.Name), ident(name)))
			unrename = append(unrename, fmt.Sprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s", tbl, ident(con.Name), ident(name)))
			orig, err := deparse(alterCmd(s.Relation, &pg.AlterTableCmd{Subtype: pg.AlterTableType_AT_AddConstraint, Def: &pg.Node{Node: &pg.Node_Constraint{Constraint: standalone(con)}}}))
			if err != nil {
				return nil, err
			}
			restore = append(restore, orig)
		}
	}
	// Indexes on a (not those of constraints), built for b.
	for _, ix := range rc.cat.IndexesOn(q) {
		if ix.Stmt == nil || ix.Primary || !contains(ix.Columns, a) && !mentions(ix.Stmt, a) {
			continue
		}
		name := objectName(ix.Name.Name, b)
		st := renamedColumn(ix.Stmt, a, b)
		st.Idxname, st.Concurrent, st.IfNotExists = name, true, false
		build, err := deparse(&pg.Node{Node: &pg.Node_IndexStmt{IndexStmt: st}})
		if err != nil {
			return nil, err
		}
		qn := schema.QName{Schema: q.Schema, Name: name}
		rw.online = append(rw.online, onlineStep{name: "index_" + name, sql: build, down: "DROP INDEX CONCURRENTLY IF EXISTS " + qn.SQL()})
		renames = append(renames, fmt.Sprintf("ALTER INDEX IF EXISTS %s RENAME TO %s", qn.SQL(), ident(ix.Name.Name)))
		unrename = append(unrename, fmt.Sprintf("ALTER INDEX IF EXISTS %s RENAME TO %s", ix.Name.SQL(), ident(name)))
		orig := renamedColumn(ix.Stmt, a, a)
		orig.Concurrent = false
		origSQL, err := deparse(&pg.Node{Node: &pg.Node_IndexStmt{IndexStmt: orig}})
		if err != nil {
			return nil, err
		}
		restore = append(restore, origSQL)
	}

	// The trigger that keeps a and b equal, whichever release writes, and
	// fills b in any row written before it that an update touches (the
	// backfill may not have reached it).
	// Values are compared as text: every type has a text form, not every
	// type has "=" (json, xml, point), and the default is cast to the
	// column's type first (a date column's now() is today, not this
	// instant; a numeric(10,2)'s 9.999 is 10.00).
	body := fmt.Sprintf(`CREATE FUNCTION %[1]s() RETURNS trigger LANGUAGE plpgsql AS $phasegate$
BEGIN
  -- Written by phasegate split: keeps %[2]s and %[3]s equal while both
  -- releases run, the previous one writing %[2]s, the new one %[3]s.
  IF TG_OP = 'INSERT' THEN
    IF NEW.%[2]s::text IS DISTINCT FROM NEW.%[3]s::text THEN
      IF NEW.%[3]s::text IS NOT DISTINCT FROM (CAST(%[4]s AS %[5]s))::text THEN
        NEW.%[3]s := NEW.%[2]s;
      ELSE
        NEW.%[2]s := NEW.%[3]s;
      END IF;
    END IF;
  ELSIF NEW.%[2]s::text IS DISTINCT FROM OLD.%[2]s::text THEN
    NEW.%[3]s := NEW.%[2]s;
  ELSIF NEW.%[3]s::text IS DISTINCT FROM OLD.%[3]s::text THEN
    NEW.%[2]s := NEW.%[3]s;
  ELSIF NEW.%[2]s::text IS DISTINCT FROM NEW.%[3]s::text THEN
    -- A row written before this trigger, not backfilled yet, updated
    -- in another column: %[2]s holds its value (%[3]s is NULL, or the
    -- default), and a NOT NULL's CHECK on %[3]s would refuse the update.
    NEW.%[3]s := NEW.%[2]s;
  END IF;
  RETURN NEW;
END
$phasegate$`, fn.SQL(), ident(a), ident(b), def, typ)
	execute := "FUNCTION"
	if rc.version > 0 && rc.version < 11 {
		execute = "PROCEDURE"
	}
	rw.expand = append(rw.expand, body,
		fmt.Sprintf("CREATE TRIGGER %s BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE %s %s()", trigger, tbl, execute, fn.SQL()))
	rw.expandDown = append([]string{
		fmt.Sprintf("DROP TRIGGER IF EXISTS %s ON %s", trigger, tbl),
		fmt.Sprintf("DROP FUNCTION IF EXISTS %s()", fn.SQL()),
	}, rw.expandDown...)
	rw.online = append([]onlineStep{{name: "backfill_" + b, sql: backfill(tbl, ident(b), ident(a))}}, rw.online...)

	// The contract. A CHECK that b equals a proves the backfill ran before
	// a goes (if it did not, the drop would lose a's values for good); it
	// goes with a.
	backfilled := objectName(q.Name, b, "backfilled")
	rw.contract = append(rw.contract,
		[]string{fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s, ADD CONSTRAINT %s CHECK (%s::text IS NOT DISTINCT FROM %s::text) NOT VALID",
			tbl, ident(backfilled), ident(backfilled), ident(b), ident(a))})
	for _, v := range append([]string{fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", tbl, ident(backfilled))}, validate...) {
		rw.contract = append(rw.contract, []string{v}) // each scan in a transaction of its own
	}
	contract = append(contract,
		fmt.Sprintf("DROP TRIGGER IF EXISTS %s ON %s", trigger, tbl),
		fmt.Sprintf("DROP FUNCTION IF EXISTS %s()", fn.SQL()))
	if col.NotNull {
		contract = append(contract,
			fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", tbl, ident(b)),
			fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s", tbl, ident(notNull)))
	}
	contract = append(contract, fmt.Sprintf("ALTER TABLE %s DROP COLUMN IF EXISTS %s", tbl, ident(a)))
	contract = append(contract, renames...)
	rw.contract = append(rw.contract, contract)

	// Its down: a comes back beside b, kept equal by the trigger again.
	oldDef := ident(a) + " " + typ
	if col.Collate != nil {
		oldDef += " COLLATE " + qualifiedSQL(col.Collate.Collname)
	}
	if col.Default != nil {
		oldDef += " DEFAULT " + def
	}
	rw.contractDown = append(rw.contractDown, unrename...)
	rw.contractDown = append(rw.contractDown,
		fmt.Sprintf("ALTER TABLE %s ADD COLUMN IF NOT EXISTS %s", tbl, oldDef),
		fmt.Sprintf("UPDATE %s SET %s = %s", tbl, ident(a), ident(b)))
	rw.contractDown = append(rw.contractDown, restore...)
	rw.contractDown = append(rw.contractDown,
		body,
		fmt.Sprintf("CREATE TRIGGER %s BEFORE INSERT OR UPDATE ON %s FOR EACH ROW EXECUTE %s %s()", trigger, tbl, execute, fn.SQL()))
	if col.NotNull {
		rw.contractDown = append(rw.contractDown,
			fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL", tbl, ident(a)),
			fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL", tbl, ident(b)),
			fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID", tbl, ident(notNull), ident(b)))
	}

	if views := rc.cat.ViewsReading(q); len(views) > 0 {
		var names []string
		for _, v := range views {
			names = append(names, v.String())
		}
		rw.notes = append(rw.notes, fmt.Sprintf("views that read %s (%s) keep reading %s: update those that use it to read %s before the contract, or its DROP COLUMN fails", q, strings.Join(names, ", "), a, b))
	}
	if rc.version > 0 && rc.version < 14 {
		rw.notes = append(rw.notes, fmt.Sprintf("PostgreSQL %d has no TID range scans: each batch of the backfill of %s reads the whole table", rc.version, b))
	}
	var triggers []string
	for key := range rc.cat.Triggers {
		if i := strings.LastIndexByte(key, '.'); i > 0 && key[:i] == q.String() && key[i+1:] != fn.Name {
			triggers = append(triggers, key[i+1:])
		}
	}
	if len(triggers) > 0 {
		sort.Strings(triggers)
		rw.notes = append(rw.notes, fmt.Sprintf("%s has triggers of its own (%s): the backfill's updates fire them for every row unless it runs as a superuser (it then sets session_replication_role = replica for each batch), and those that use %s, or fire on UPDATE OF %s, are not rewritten for %s", q, strings.Join(triggers, ", "), a, a, b))
	}
	return rw, nil
}

// backfill copies from into to for the rows written before the sync
// trigger existed, in batches of 1,000 pages, each its own transaction:
// rows written since are in sync already, and rows updated by the loop
// itself move to new pages, which the loop does not need to visit.
func backfill(table, to, from string) string {
	return fmt.Sprintf(`DO $phasegate$
DECLARE
  last_page bigint := pg_relation_size(%[1]s) / current_setting('block_size')::bigint;
  first_page bigint := 0;
BEGIN
  -- Written by phasegate split: a batched backfill, 1,000 pages per
  -- transaction; it must run outside a transaction block.
  WHILE first_page <= last_page LOOP
    -- The table's own triggers (an updated_at) must not fire for a copy:
    -- session_replication_role = replica skips them, for this batch, where
    -- the role may set it (a superuser).
    BEGIN
      PERFORM set_config('session_replication_role', 'replica', true);
    EXCEPTION WHEN insufficient_privilege THEN
      NULL;
    END;
    UPDATE %[2]s SET %[3]s = %[4]s
      WHERE ctid >= format('(%%s,0)', first_page)::tid AND ctid < format('(%%s,0)', first_page + 1000)::tid
        AND %[3]s::text IS DISTINCT FROM %[4]s::text;
    COMMIT;
    first_page := first_page + 1000;
  END LOOP;
END
$phasegate$`, literal(table), table, to, from)
}

// alterCmd wraps one command in an ALTER TABLE of rel.
func alterCmd(rel *pg.RangeVar, cmd *pg.AlterTableCmd) *pg.Node {
	return &pg.Node{Node: &pg.Node_AlterTableStmt{AlterTableStmt: &pg.AlterTableStmt{
		Relation: rel, Objtype: pg.ObjectType_OBJECT_TABLE,
		Cmds: []*pg.Node{{Node: &pg.Node_AlterTableCmd{AlterTableCmd: cmd}}},
	}}}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func mentionsList(list []*pg.Node, s string) bool {
	for _, n := range list {
		if n.GetString_().GetSval() == s {
			return true
		}
	}
	return false
}

// qualifiedSQL renders a dotted name list, quoting each part.
func qualifiedSQL(names []*pg.Node) string {
	var parts []string
	for _, n := range names {
		parts = append(parts, ident(n.GetString_().GetSval()))
	}
	return strings.Join(parts, ".")
}

// sortedConstraints returns a table's constraints by name.
func sortedConstraints(t *schema.Table) []*schema.Constraint {
	out := make([]*schema.Constraint, 0, len(t.Constraints))
	for _, c := range t.Constraints {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// standalone is a constraint's definition as a table constraint with its
// name: a column constraint (email text UNIQUE, org_id REFERENCES orgs)
// names its column only by where it stands.
func standalone(con *schema.Constraint) *pg.Constraint {
	c := pg.Clone(con.Def)
	c.Conname = con.Name
	var cols []*pg.Node
	for _, name := range con.Columns {
		cols = append(cols, &pg.Node{Node: &pg.Node_String_{String_: &pg.String{Sval: name}}})
	}
	switch c.Contype {
	case pg.ConstrType_CONSTR_FOREIGN:
		if len(c.FkAttrs) == 0 {
			c.FkAttrs = cols
		}
	case pg.ConstrType_CONSTR_UNIQUE, pg.ConstrType_CONSTR_PRIMARY, pg.ConstrType_CONSTR_EXCLUSION:
		if len(c.Keys) == 0 {
			c.Keys = cols
		}
	}
	return c
}
