package checker

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"

	"github.com/phasegate/phasegate/schema"
)

var addConstraint = register(&Rule{
	ID:       "add-constraint",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "adding a CHECK, UNIQUE, PRIMARY KEY, FOREIGN KEY or EXCLUDE constraint (or a unique index) over columns that exist in production",
	Why:     "the constraint rejects writes the previous release may still make (a duplicate, an orphan, a value out of range); NOT VALID does not help, it only skips checking existing rows",
	Fix: `1. expand: deploy code that never writes violating rows, and clean up existing ones in batches;
2. contract (deferred, after that release): add the constraint (NOT VALID, then VALIDATE CONSTRAINT; or CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX).
If the previous release already guarantees the rule, say so on the statement: -- phasegate:phase expand <how it is guaranteed>.`,
	Notes: `squawk and strong_migrations judge only the lock these statements take (add-foreign-key-validated,
add-check-validated, add-unique-constraint here). GitLab adds constraints on existing columns in
post-deployment migrations, after the code that guarantees them shipped: phasegate follows GitLab and
treats the narrowing as a contract. Constraints on columns added in the same change are expand, since
the previous release never writes those columns.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;", Flagged: true},
		{SQL: "ALTER TABLE users ADD CONSTRAINT email_lower CHECK (email = lower(email)) NOT VALID;", Flagged: true},
		{SQL: "CREATE UNIQUE INDEX CONCURRENTLY users_name_key ON users (name);", Flagged: true},
		{SQL: "ALTER TABLE users ADD COLUMN team_id bigint REFERENCES orgs (id);"},
		{SQL: "ALTER TABLE users ADD COLUMN team_id bigint;\nALTER TABLE users ADD CONSTRAINT team_fk FOREIGN KEY (team_id) REFERENCES orgs (id) NOT VALID;"},
		{SQL: "ALTER TABLE users VALIDATE CONSTRAINT users_org_fk;"},
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
				out = append(out, finding("adds %s constraint%s to %s over existing columns (%s); writes of the previous release that violate it fail",
					kind, nameSuffix(con.Conname), q, strings.Join(cols, ", ")).at(c.Pos(con.Location)))
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
			if c.Existing(q) && (c.anyExistingColumn(q, cols, nil) || anyExprUsesExisting(c, q, exprs)) {
				out = append(out, finding("creates unique index%s on %s over existing columns; inserts of the previous release that duplicate a key fail", nameSuffix(ix.Idxname), q))
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
})

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
	schema.Walk(expr, func(n *pg.Node) {
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
