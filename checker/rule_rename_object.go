package checker

import (
	pg "github.com/pganalyze/pg_query_go/v5"

	"github.com/phasegate/phasegate/schema"
)

var renameObject = register(&Rule{
	ID:       "rename-object",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "renaming a view, materialized view, sequence, type, function or schema, or moving it to another schema",
	Why:     "the previous release still refers to the object by its old name",
	Fix: `1. create the object under the new name beside the old one (or a forwarding view or function);
2. switch the code to the new name in this release;
3. drop the old name in a deferred migration one release later.`,
	Notes: `strong_migrations flags schema renames (rename_schema); squawk and GitLab cover tables and columns
only. Index, constraint and trigger renames are not flagged: applications do not name them in queries.`,
	Examples: []Example{
		{SQL: "ALTER VIEW active_users RENAME TO live_users;", Flagged: true},
		{SQL: "ALTER FUNCTION touch() RENAME TO touch_row;", Flagged: true},
		{SQL: "ALTER TABLE users SET SCHEMA archive;", Flagged: true},
		{SQL: "ALTER INDEX users_email_idx RENAME TO users_email_key;"},
		{SQL: "CREATE VIEW v AS SELECT 1;\nALTER VIEW v RENAME TO w;"},
	},
	Check: func(c *Context) []Finding {
		switch n := c.Node.GetNode().(type) {
		case *pg.Node_RenameStmt:
			r := n.RenameStmt
			kind, q, existed := renamedObject(c, r)
			if kind == "" || !existed {
				return nil
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
})

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
