package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

var dropUnique = &Rule{
	ID:       "drop-unique",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "dropping a unique or primary key constraint, or a unique index, that exists in production",
	Why:     "the previous release may rely on it: INSERT ... ON CONFLICT (col) fails without a matching unique index, and code that assumes one row per key starts seeing several",
	Fix: `1. stop relying on the uniqueness in this release (ON CONFLICT targets, lookups that expect one row);
2. drop it in a deferred migration one release later (phasegate split moves the statement).`,
	Notes: `Not flagged by squawk, strong_migrations or GitLab, which look at locks only; phasegate flags it
because a missing ON CONFLICT arbiter is a hard error in the previous release. Dropping a plain index is
a performance question and is not a contract. A key that another one replaces, over the same columns,
by the time the transaction commits (DROP CONSTRAINT t_pkey; ADD PRIMARY KEY (a, b) in one transaction,
or a unique index built before the old one is dropped) is not removed: the previous release never sees
it missing, so it is not flagged, unless the replacement is partial or DEFERRABLE (ON CONFLICT cannot
infer it as its arbiter). A previous release that names the constraint (ON CONFLICT ON CONSTRAINT name)
still fails when the name changes; the runtime check shows it.`,
	Examples: []Example{
		{SQL: "ALTER TABLE users DROP CONSTRAINT users_pkey;", Flagged: true},
		{Base: "CREATE TABLE t (id int, code text);\nCREATE UNIQUE INDEX t_code_key ON t (code);", SQL: "DROP INDEX CONCURRENTLY t_code_key;", Flagged: true},
		{SQL: "DROP INDEX CONCURRENTLY users_email_idx;"},
		{Base: "CREATE TABLE q (name text, id int, CONSTRAINT q_pkey PRIMARY KEY (name, id));",
			SQL: "BEGIN;\nALTER TABLE q DROP CONSTRAINT q_pkey;\nALTER TABLE q ADD PRIMARY KEY (id, name);\nCOMMIT;"},
		{Base: "CREATE TABLE q (name text, id int, CONSTRAINT q_pkey PRIMARY KEY (id));",
			SQL: "BEGIN;\nALTER TABLE q DROP CONSTRAINT q_pkey;\nALTER TABLE q ADD PRIMARY KEY (id, name);\nCOMMIT;", Flagged: true},
		{Base: "CREATE TABLE t (code text NOT NULL, CONSTRAINT t_code_key UNIQUE (code));",
			SQL: "BEGIN;\nALTER TABLE t DROP CONSTRAINT t_code_key;\nALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (code);\nCOMMIT;"},
		{Base: "CREATE TABLE t (code text NOT NULL, CONSTRAINT t_code_key UNIQUE (code));",
			SQL: "BEGIN;\nALTER TABLE t DROP CONSTRAINT t_code_key;\nALTER TABLE t ADD CONSTRAINT t_code_uq UNIQUE (code) DEFERRABLE;\nCOMMIT;", Flagged: true},
		{Base: "CREATE TABLE t (code text NOT NULL, CONSTRAINT t_code_key UNIQUE (code));",
			SQL: "BEGIN;\nALTER TABLE t DROP CONSTRAINT t_code_key;\nCREATE UNIQUE INDEX t_code_live ON t (code) WHERE code <> '';\nCOMMIT;", Flagged: true},
		{Base: "CREATE TABLE t (code text NOT NULL, CONSTRAINT t_code_key UNIQUE (code));",
			SQL: "CREATE UNIQUE INDEX CONCURRENTLY t_code_idx ON t (code);\nALTER TABLE t DROP CONSTRAINT t_code_key;"},
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
				replaced, why := c.replacedKeyAfter(q, cmd.Name, con.Columns)
				if replaced {
					continue // replaced atomically, or another key stays
				}
				out = append(out, finding("drops %s constraint %s of %s; %s", con.Kind, cmd.Name, q, mayRelyOnKey(why)))
			}
		}
		if d := c.Node.GetDropStmt(); d != nil && d.RemoveType == pg.ObjectType_OBJECT_INDEX {
			for _, obj := range d.Objects {
				q := c.Catalog.ResolveNames(objectNames(obj))
				ix := c.Catalog.Indexes[q]
				if ix == nil || !ix.Unique || ix.Origin.New || !c.Existing(ix.Table) {
					continue
				}
				if replaced, why := c.replacedKeyAfter(ix.Table, q.Name, ix.Columns); !replaced {
					out = append(out, finding("drops unique index %s of %s; %s", q, ix.Table, mayRelyOnKey(why)))
				}
			}
		}
		return out
	},
}

// mayRelyOnKey says what the previous release may rely on a dropped key
// for, and, when the key has a replacement that does not serve, why not
// (why, from replacedKeyAfter), in one sentence.
func mayRelyOnKey(why string) string {
	s := "the previous release may rely on it as the arbiter of ON CONFLICT and to find one row per key"
	if why != "" {
		s += ", and " + why
	}
	return s
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
