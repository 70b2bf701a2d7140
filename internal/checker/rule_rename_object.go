package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

var renameObject = &Rule{
	ID:       "rename-object",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "renaming a view, materialized view, sequence, type, function or schema, or moving it to another schema",
	Why:     "the previous release still refers to the object by its old name",
	Fix: `1. create the object under the new name beside the old one (or a forwarding view or function);
2. switch the code to the new name in this release;
3. drop the old name in a deferred migration one release later.`,
	Notes: `strong_migrations flags schema renames (rename_schema); squawk and GitLab cover tables and columns
only. Index, constraint and trigger renames are not flagged: applications do not name them in queries. A
view, sequence or type that the same transaction creates again under the old name is judged by what the
new one lacks (see drop-object): renaming an enum away, creating it again with more labels, converting
the columns and dropping the old one is not a contract.`,
	Examples: []Example{
		{SQL: "ALTER VIEW active_users RENAME TO live_users;", Flagged: true},
		{SQL: "ALTER FUNCTION touch() RENAME TO touch_row;", Flagged: true},
		{SQL: "ALTER TABLE users SET SCHEMA archive;", Flagged: true},
		{SQL: "ALTER INDEX users_email_idx RENAME TO users_email_key;"},
		{SQL: "CREATE VIEW v AS SELECT 1;\nALTER VIEW v RENAME TO w;"},
		{Base: "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE t (m mood);",
			SQL: "BEGIN;\nALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\nALTER TABLE t ALTER COLUMN m TYPE mood USING m::text::mood;\nDROP TYPE mood_old;\nCOMMIT;"},
		{Base: "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE t (m mood);",
			SQL: "BEGIN;\nALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE mood AS ENUM ('ok', 'happy');\nALTER TABLE t ALTER COLUMN m TYPE mood USING m::text::mood;\nDROP TYPE mood_old;\nCOMMIT;", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		switch n := c.Node.GetNode().(type) {
		case *pg.Node_RenameStmt:
			r := n.RenameStmt
			kind, q, existed := renamedObject(c, r)
			if kind == "" || !existed {
				return nil
			}
			if c.InTransaction() && kind != "function" && kind != "schema" {
				// Created again under the old name before the transaction
				// commits: judged by what the new one lacks.
				if exists, diff, known := c.replacement(kind, q); exists {
					switch {
					case known && diff == "":
						return nil
					case known:
						return []Finding{finding("renames %s %s to %s and creates %s again in the same transaction %s", kind, q, r.Newname, q, diff)}
					}
					return []Finding{finding("renames %s %s to %s; the previous release still uses the old name (the transaction creates %s again, but phasegate cannot compare the two definitions)", kind, q, r.Newname, q)}
				}
			}
			return []Finding{finding("renames %s %s to %s; the previous release still uses the old name", kind, q, r.Newname)}
		case *pg.Node_AlterObjectSchemaStmt:
			s := n.AlterObjectSchemaStmt
			if s.Relation == nil {
				return nil
			}
			q := c.Catalog.Resolve(s.Relation)
			if !c.Existing(q) {
				return nil
			}
			return []Finding{finding("moves %s to schema %s; the previous release still finds it in %s", q, s.Newschema, q.Schema)}
		}
		return nil
	},
}

// renamedObject describes the object a RENAME renames when this rule
// covers it (tables and columns have rules of their own).
func renamedObject(c *Context, r *pg.RenameStmt) (kind string, q schema.QName, existed bool) {
	switch r.RenameType {
	case pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_MATVIEW:
		q = c.Catalog.Resolve(r.Relation)
		kind = "view"
		if r.RenameType == pg.ObjectType_OBJECT_MATVIEW {
			kind = "materialized view"
		}
		return kind, q, c.Existing(q)
	case pg.ObjectType_OBJECT_SEQUENCE:
		q = c.Catalog.Resolve(r.Relation)
		o := c.Catalog.Sequences[q]
		return "sequence", q, o == nil || !o.Origin.New
	case pg.ObjectType_OBJECT_TYPE, pg.ObjectType_OBJECT_DOMAIN:
		q = c.Catalog.ResolveNames(objectNames(r.Object))
		t := c.Catalog.Types[q]
		return "type", q, t == nil || !t.Origin.New
	case pg.ObjectType_OBJECT_FUNCTION, pg.ObjectType_OBJECT_PROCEDURE, pg.ObjectType_OBJECT_ROUTINE:
		q = c.Catalog.ResolveNames(objectNames(r.Object))
		o := c.Catalog.Functions[q]
		return "function", q, o == nil || !o.Origin.New
	case pg.ObjectType_OBJECT_SCHEMA:
		o := c.Catalog.Schemas[r.Subname]
		return "schema", schema.QName{Name: r.Subname}, o == nil || !o.Origin.New
	}
	return "", q, false
}
