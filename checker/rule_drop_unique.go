package checker

import (
	pg "github.com/pganalyze/pg_query_go/v5"

	"github.com/phasegate/phasegate/schema"
)

var dropUnique = register(&Rule{
	ID:       "drop-unique",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "dropping a unique or primary key constraint, or a unique index, that exists in production",
	Why:     "the previous release may rely on it: INSERT ... ON CONFLICT (col) fails without a matching unique index, and code that assumes one row per key starts seeing several",
	Fix: `1. stop relying on the uniqueness in this release (ON CONFLICT targets, lookups that expect one row);
2. drop it in a deferred migration one release later (phasegate split moves the statement).`,
	Notes: `Not flagged by squawk, strong_migrations or GitLab, which look at locks only; phasegate flags it
because a missing ON CONFLICT arbiter is a hard error in the previous release. Dropping a plain index is
a performance question and is not a contract. A key dropped and added again over the same columns later
in the same transaction (DROP CONSTRAINT t_pkey; ADD PRIMARY KEY (a, b)) is replaced, not removed: the
previous release never sees it missing, so it is not flagged.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users DROP CONSTRAINT users_pkey;", Flagged: true},
		{Base: "CREATE TABLE t (id int, code text);\nCREATE UNIQUE INDEX t_code_key ON t (code);", SQL: "DROP INDEX CONCURRENTLY t_code_key;", Flagged: true},
		{SQL: "DROP INDEX CONCURRENTLY users_email_idx;"},
		{Base: "CREATE TABLE q (name text, id int, CONSTRAINT q_pkey PRIMARY KEY (name, id));",
			SQL: "BEGIN;\nALTER TABLE q DROP CONSTRAINT q_pkey;\nALTER TABLE q ADD PRIMARY KEY (id, name);\nCOMMIT;"},
		{Base: "CREATE TABLE q (name text, id int, CONSTRAINT q_pkey PRIMARY KEY (id));",
			SQL: "BEGIN;\nALTER TABLE q DROP CONSTRAINT q_pkey;\nALTER TABLE q ADD PRIMARY KEY (id, name);\nCOMMIT;", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		var out []Finding
		if at, cmds, q := c.AlterExisting(); at != nil {
			t := c.Catalog.Tables[q]
			for _, cmd := range cmds {
				if cmd.Subtype != pg.AlterTableType_AT_DropConstraint || t == nil {
					continue
				}
				con := t.Constraints[cmd.Name]
				if con == nil || con.Origin.New || con.Kind != schema.Unique && con.Kind != schema.PrimaryKey {
					continue
				}
				if c.LaterInTransaction(func(n *pg.Node) bool { return addsUniqueKey(c, q, con.Columns, n) }) {
					continue // replaced atomically
				}
				out = append(out, finding("drops %s constraint %s of %s; the previous release may rely on it (ON CONFLICT, one row per key)", con.Kind, cmd.Name, q))
			}
		}
		if d := c.Node.GetDropStmt(); d != nil && d.RemoveType == pg.ObjectType_OBJECT_INDEX {
			for _, obj := range d.Objects {
				q := c.Catalog.ResolveNames(objectNames(obj))
				if ix := c.Catalog.Indexes[q]; ix != nil && ix.Unique && !ix.Origin.New && c.Existing(ix.Table) &&
					!c.LaterInTransaction(func(n *pg.Node) bool { return addsUniqueKey(c, ix.Table, ix.Columns, n) }) {
					out = append(out, finding("drops unique index %s of %s; the previous release may rely on it (ON CONFLICT, one row per key)", q, ix.Table))
				}
			}
		}
		return out
	},
})

// addsUniqueKey reports whether statement n adds a primary key, unique
// constraint or (full, plain-column) unique index on table q over exactly
// the columns cols: a replacement PostgreSQL infers as the same ON
// CONFLICT arbiter.
func addsUniqueKey(c *Context, q schema.QName, cols []string, n *pg.Node) bool {
	if len(cols) == 0 {
		return false
	}
	if at := n.GetAlterTableStmt(); at != nil && c.Catalog.Resolve(at.Relation) == q {
		for _, cn := range at.Cmds {
			cmd := cn.GetAlterTableCmd()
			con := cmd.GetDef().GetConstraint()
			if cmd.GetSubtype() == pg.AlterTableType_AT_AddConstraint && con != nil && con.Indexname == "" &&
				(con.Contype == pg.ConstrType_CONSTR_PRIMARY || con.Contype == pg.ConstrType_CONSTR_UNIQUE) &&
				sameSet(schema.Names(con.Keys), cols) {
				return true
			}
		}
	}
	if ix := n.GetIndexStmt(); ix != nil && ix.Unique && ix.WhereClause == nil && c.Catalog.Resolve(ix.Relation) == q {
		var ixCols []string
		for _, p := range ix.IndexParams {
			e := p.GetIndexElem()
			if e == nil || e.Name == "" {
				return false // an expression
			}
			ixCols = append(ixCols, e.Name)
		}
		return sameSet(ixCols, cols)
	}
	return false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, x := range a {
		seen[x] = true
	}
	for _, x := range b {
		if !seen[x] {
			return false
		}
	}
	return true
}
