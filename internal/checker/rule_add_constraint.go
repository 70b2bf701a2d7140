package checker

import (
	"fmt"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

var addConstraint = &Rule{
	ID:       "add-constraint",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "adding a CHECK, UNIQUE, PRIMARY KEY, FOREIGN KEY or EXCLUDE constraint (or a unique index) over columns that exist in production",
	Why:     "the constraint rejects writes the previous release may still make (a duplicate, an orphan, a value out of range); NOT VALID does not help, it only skips checking existing rows",
	Fix: `1. expand: deploy code that never writes violating rows, and clean up the existing ones in batches;
2. contract (deferred, after that release): add the constraint without a long lock: NOT VALID (FOREIGN KEY, CHECK), or CREATE UNIQUE INDEX CONCURRENTLY (UNIQUE, PRIMARY KEY);
3. in a later migration: VALIDATE CONSTRAINT, or ADD CONSTRAINT ... USING INDEX.
If the previous release already guarantees the rule, say so on the statement: -- phasegate:phase expand <how it is guaranteed>.
phasegate split moves a FOREIGN KEY or CHECK to a deferred migration as steps 2 and 3, each in its own transaction.`,
	Notes: `squawk and strong_migrations judge only the lock these statements take (add-foreign-key-validated,
add-check-validated, add-unique-constraint here). GitLab adds constraints on existing columns in
post-deployment migrations, after the code that guarantees them shipped: phasegate follows GitLab and
treats the narrowing as a contract. Constraints on columns added in the same change are expand, since
the previous release never writes those columns. A constraint that rejects nothing the schema did not
reject already, as the transaction found it, is not a contract either: a PRIMARY KEY or UNIQUE key over
columns that a unique key of production covers (a subset of them; for a PRIMARY KEY, all NOT NULL), a
CHECK with the same expression or a longer list of allowed values (col IN (...)), a FOREIGN KEY with the
same columns, references and actions; typically the one it replaces, dropped in the same transaction.
Where phasegate cannot prove it (a partial or DEFERRABLE old key, NULLS NOT DISTINCT over nullable
columns, other expressions), the finding stands and says what stands in the way.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;", Flagged: true},
		{SQL: "ALTER TABLE users ADD CONSTRAINT email_lower CHECK (email = lower(email)) NOT VALID;", Flagged: true},
		{SQL: "CREATE UNIQUE INDEX CONCURRENTLY users_name_key ON users (name);", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN team_id bigint REFERENCES orgs (id);"},
		{SQL: "ALTER TABLE users ADD COLUMN team_id bigint;\nALTER TABLE users ADD CONSTRAINT team_fk FOREIGN KEY (team_id) REFERENCES orgs (id) NOT VALID;"},
		{SQL: "ALTER TABLE users VALIDATE CONSTRAINT users_org_fk;"},
		{Base: "CREATE TABLE t (code text NOT NULL, CONSTRAINT t_code_key UNIQUE (code));",
			SQL: "BEGIN;\nALTER TABLE t DROP CONSTRAINT t_code_key;\nALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (code);\nCOMMIT;"},
		{Base: "CREATE TABLE t (code text, CONSTRAINT t_code_key UNIQUE (code));",
			SQL: "BEGIN;\nALTER TABLE t DROP CONSTRAINT t_code_key;\nALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (code);\nCOMMIT;", Flagged: true},
		{Base: "CREATE TABLE t (s text, CONSTRAINT t_s_check CHECK (s IN ('a', 'b')));",
			SQL: "BEGIN;\nALTER TABLE t DROP CONSTRAINT t_s_check;\nALTER TABLE t ADD CONSTRAINT t_s_check CHECK (s IN ('a', 'b', 'c'));\nCOMMIT;"},
		{Base: "CREATE TABLE t (s text, CONSTRAINT t_s_check CHECK (s IN ('a', 'b')));",
			SQL: "BEGIN;\nALTER TABLE t DROP CONSTRAINT t_s_check;\nALTER TABLE t ADD CONSTRAINT t_s_check CHECK (s IN ('a', 'c'));\nCOMMIT;", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		var out []Finding
		if at, cmds, q := c.AlterExisting(); at != nil {
			for _, cmd := range cmds {
				con := cmd.Def.GetConstraint()
				if cmd.Subtype != pg.AlterTableType_AT_AddConstraint || con == nil || con.Indexname != "" {
					continue
				}
				kind, cols := constraintColumns(con)
				if kind == "" || !c.anyExistingColumn(q, cols, con.RawExpr) {
					continue
				}
				replaced, note := c.rejectsNothingNew(q, constraintKey(c.Catalog, con.Conname, con))
				if replaced {
					continue // the schema the transaction found rejects as much already
				}
				f := finding("adds %s constraint%s to %s over existing columns (%s); writes of the previous release that violate it fail%s",
					kind, nameSuffix(con.Conname), q, strings.Join(cols, ", "), parenthesized(note)).at(c.Pos(con.Location))
				out = append(out, c.constraintFix(f, at, con, q, cols))
			}
		}
		if ix := c.Node.GetIndexStmt(); ix != nil && ix.Unique {
			q := c.Catalog.Resolve(ix.Relation)
			var cols []string
			var exprs []*pg.Node
			for _, p := range ix.IndexParams {
				if el := p.GetIndexElem(); el != nil {
					if el.Name != "" {
						cols = append(cols, el.Name)
					} else {
						exprs = append(exprs, el.Expr)
					}
				}
			}
			replaced, note := false, ""
			if c.Existing(q) && (c.anyExistingColumn(q, cols, nil) || anyExprUsesExisting(c, q, exprs)) {
				replaced, note = c.rejectsNothingNew(q, indexKey(ix.Idxname, ix))
			}
			if c.Existing(q) && (c.anyExistingColumn(q, cols, nil) || anyExprUsesExisting(c, q, exprs)) && !replaced {
				f := finding("creates unique index%s on %s over existing columns; inserts of the previous release that duplicate a key fail%s", nameSuffix(ix.Idxname), q, parenthesized(note))
				concurrently := indexSQL(ix, c.Stmt.Text, indexName(q.Name, ix), func(cp *pg.IndexStmt) { cp.Concurrent, cp.IfNotExists = true, true })
				out = append(out, f.withSteps(
					fmt.Sprintf("expand, in this release: deploy code that never writes two %s rows with the same key, and remove the existing duplicates in batches;", q),
					sqlStep("contract, deferred one release (phasegate split moves it): ", concurrently, "outside a transaction: a migration of its own"),
				).withNote(guaranteedNote))
			}
		}
		if ad := c.Node.GetAlterDomainStmt(); ad != nil && ad.Subtype == "C" {
			q := c.Catalog.ResolveNames(schema.Names(ad.TypeName))
			if t := c.Catalog.Types[q]; t == nil || !t.Origin.New {
				out = append(out, finding("adds a constraint to domain %s; writes of the previous release that violate it fail", q))
			}
		}
		return out
	},
}

// guaranteedNote closes the fix of a constraint the previous release may
// violate.
const guaranteedNote = "If the previous release already guarantees it, say so on the statement: -- phasegate:phase expand <how it is guaranteed>."

// constraintFix gives f the recipe for constraint con of ALTER TABLE at
// over existing columns cols of q: the code first, then the constraint,
// added without a long lock, one release later. The locking rules that
// fire on the same constraint (add-foreign-key-validated,
// add-check-validated, add-unique-constraint) point to this fix.
func (c *Context) constraintFix(f Finding, at *pg.AlterTableStmt, con *pg.Constraint, q schema.QName, cols []string) Finding {
	const deferred = "contract, deferred one release (phasegate split moves it): "
	colList := identList(cols)
	if len(cols) > 1 {
		colList = "(" + colList + ")"
	}
	switch con.Contype {
	case pg.ConstrType_CONSTR_FOREIGN:
		name := orDefault(con.Conname, c.Catalog.ConstraintName(q, schema.ForeignKey, cols))
		add := notValidSteps(at, con, name, "")
		return f.withSteps(
			fmt.Sprintf("expand, in this release: deploy code that never writes a row of %s whose %s has no row in %s, and fix the existing orphans in batches;", q, colList, c.Catalog.Resolve(con.Pktable)),
			prefixed(deferred, add[0]), add[1]).withNote(guaranteedNote)
	case pg.ConstrType_CONSTR_CHECK:
		name := orDefault(con.Conname, c.Catalog.ConstraintName(q, schema.Check, cols))
		add := notValidSteps(at, con, name, "")
		return f.withSteps(
			fmt.Sprintf("expand, in this release: deploy code that never writes a row of %s that fails the check, and fix the existing ones in batches;", q),
			prefixed(deferred, add[0]), add[1]).withNote(guaranteedNote)
	case pg.ConstrType_CONSTR_UNIQUE, pg.ConstrType_CONSTR_PRIMARY:
		ckind, not := schema.Unique, ""
		if con.Contype == pg.ConstrType_CONSTR_PRIMARY {
			ckind, not = schema.PrimaryKey, " or NULL"
		}
		name := orDefault(con.Conname, c.Catalog.ConstraintName(q, ckind, cols))
		expand := fmt.Sprintf("expand, in this release: deploy code that never writes two %s rows with the same %s%s, and remove the existing duplicates in batches;", q, colList, not)
		if t := c.Catalog.Table(q); t != nil && t.Partitioned {
			return f.withSteps(expand, "contract, deferred one release (phasegate split moves it): the statement as written; PostgreSQL builds no index CONCURRENTLY on a partitioned table, so it holds its lock while the index is built: run it at a quiet time.").withNote(guaranteedNote)
		}
		steps := c.usingIndexSteps(at, q, con, name)
		return f.withSteps(expand, prefixed(c.uniqueDeferral(deferred, q, con, cols), steps[0]), steps[1]).withNote(guaranteedNote)
	}
	return f
}

// uniqueDeferral is how a UNIQUE or PRIMARY KEY constraint's steps are
// deferred, as phasegate split does it. Its index build cannot run in a
// transaction: split writes the steps into the deferred migration for a
// tool that runs it statement by statement; for a tool that sends a
// migration of several statements as one query (golang-migrate, dbmate,
// Diesel), the build needs a deferred migration of its own, which split
// leaves to the user; for the others (an ORM, a tool split cannot run
// statement by statement), and for a PRIMARY KEY over a nullable column,
// split moves the statement as written and the steps are the user's.
func (c *Context) uniqueDeferral(deferred string, q schema.QName, con *pg.Constraint, cols []string) string {
	const yourself = "contract, deferred one release (in the deferred migration, by hand: phasegate split moves the statement as written): "
	if con.Contype == pg.ConstrType_CONSTR_PRIMARY && !c.Catalog.Table(q).AllNotNull(cols) {
		return yourself
	}
	f, err := source.Lookup(c.Format)
	if err != nil {
		return deferred
	}
	sep, ok := source.Separation(f)
	switch {
	case !ok:
		return yourself
	case sep == source.TxNone:
		return deferred
	}
	return fmt.Sprintf("contract, deferred one release, in a deferred migration of its own (by hand: %s runs a migration of several statements as one): ", f.Name())
}

// oneFixPerConstraint gives the findings of one statement one fix per
// constraint: where add-constraint and a locking rule fire on the same
// constraint (or unique index), add-constraint's recipe already adds it
// without the long lock, so the locking finding points to it instead of
// giving a second recipe.
func oneFixPerConstraint(fs []Finding) {
	for _, a := range fs {
		if a.Rule != addConstraint || a.Fix == "" || a.Fix == addConstraint.Fix {
			continue
		}
		for i := range fs {
			b := &fs[i]
			if !samePos(a.Pos, b.Pos) {
				continue
			}
			switch b.Rule {
			case addForeignKeyValidated, addCheckValidated:
				b.Fix, b.Edit = "one fix for this constraint: add-constraint's above, whose NOT VALID and later VALIDATE CONSTRAINT steps take no long lock", nil
			case addUniqueConstraint, createIndexNonConcurrently:
				b.Fix, b.Edit = "one fix for this constraint: add-constraint's above, whose CREATE UNIQUE INDEX CONCURRENTLY step blocks no writes", nil
			}
		}
	}
}

func samePos(a, b *sqltext.Position) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// usingIndexSteps are the steps that add UNIQUE or PRIMARY KEY constraint
// con (named name) of at without a long lock: its index built
// concurrently, then the constraint on it.
func (c *Context) usingIndexSteps(at *pg.AlterTableStmt, q schema.QName, con *pg.Constraint, name string) []string {
	attach := "a brief lock, no scan"
	if con.Contype == pg.ConstrType_CONSTR_PRIMARY && !c.Catalog.Table(q).AllNotNull(namesOf(con.Keys)) {
		attach = "it also makes the columns NOT NULL, which scans the table under its lock unless a validated CHECK (column IS NOT NULL) already proves it (PostgreSQL 12+): add that CHECK NOT VALID and VALIDATE it first"
	}
	ix := &pg.IndexStmt{Idxname: name, Relation: at.Relation, AccessMethod: "btree", Unique: true, Concurrent: true, IfNotExists: true}
	for _, k := range con.Keys {
		ix.IndexParams = append(ix.IndexParams, &pg.Node{Node: &pg.Node_IndexElem{IndexElem: &pg.IndexElem{Name: k.GetString_().GetSval(),
			Ordering: pg.SortByDir_SORTBY_DEFAULT, NullsOrdering: pg.SortByNulls_SORTBY_NULLS_DEFAULT}}})
	}
	using := &pg.Constraint{Contype: con.Contype, Conname: name, Indexname: name}
	return []string{
		sqlStep("", indexSQL(ix, "", name, nil), "outside a transaction: a migration of its own"),
		sqlStep("then: ", alterSQL(at, &pg.AlterTableCmd{Subtype: pg.AlterTableType_AT_AddConstraint,
			Def: &pg.Node{Node: &pg.Node_Constraint{Constraint: using}}, Behavior: pg.DropBehavior_DROP_RESTRICT}), attach),
	}
}

// prefixed is step with before it, or "" when the step could not be built.
func prefixed(before, step string) string {
	if step == "" {
		return ""
	}
	return before + step
}

// parenthesized is " (note)", or "" without a note.
func parenthesized(note string) string {
	if note == "" {
		return ""
	}
	return " (" + note + ")"
}

func nameSuffix(name string) string {
	if name == "" {
		return ""
	}
	return " " + name
}

// constraintColumns returns a constraint's kind and the columns it
// constrains (for CHECK, the columns its expression reads).
func constraintColumns(con *pg.Constraint) (string, []string) {
	switch con.Contype {
	case pg.ConstrType_CONSTR_CHECK:
		return "CHECK", exprColumns(con.RawExpr)
	case pg.ConstrType_CONSTR_UNIQUE:
		return "UNIQUE", schema.Names(con.Keys)
	case pg.ConstrType_CONSTR_PRIMARY:
		return "PRIMARY KEY", schema.Names(con.Keys)
	case pg.ConstrType_CONSTR_FOREIGN:
		return "FOREIGN KEY", schema.Names(con.FkAttrs)
	case pg.ConstrType_CONSTR_EXCLUSION:
		var cols []string
		for _, ex := range con.Exclusions {
			if l := ex.GetList(); l != nil && len(l.Items) > 0 {
				if el := l.Items[0].GetIndexElem(); el != nil {
					if el.Name != "" {
						cols = append(cols, el.Name)
					} else {
						cols = append(cols, exprColumns(el.Expr)...)
					}
				}
			}
		}
		return "EXCLUDE", cols
	}
	return "", nil
}

// exprColumns returns the unqualified column names an expression reads.
func exprColumns(expr *pg.Node) []string {
	var cols []string
	seen := map[string]bool{}
	pg.Walk(expr, func(n *pg.Node) {
		if ref := n.GetColumnRef(); ref != nil {
			names := schema.Names(ref.Fields)
			if len(names) > 0 && !seen[names[len(names)-1]] {
				seen[names[len(names)-1]] = true
				cols = append(cols, names[len(names)-1])
			}
		}
	})
	return cols
}

// anyExistingColumn reports whether any of cols existed before the change.
// A constraint that names no column (CHECK (false)) counts as touching
// existing rows.
func (c *Context) anyExistingColumn(q schema.QName, cols []string, expr *pg.Node) bool {
	if len(cols) == 0 {
		return true
	}
	for _, col := range cols {
		if c.ExistingColumn(q, col) {
			return true
		}
	}
	return false
}

func anyExprUsesExisting(c *Context, q schema.QName, exprs []*pg.Node) bool {
	for _, e := range exprs {
		if c.anyExistingColumn(q, exprColumns(e), e) {
			return true
		}
	}
	return false
}
