package checker

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"

	"github.com/phasegate/phasegate/schema"
)

var dropObject = register(&Rule{
	ID:       "drop-object",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "DROP of a view, materialized view, function, procedure, type, domain, sequence, schema, trigger or extension that exists in production",
	Why:     "the previous release may still query the view, call the function, cast to the type or rely on what the trigger does",
	Fix: `1. stop using the object in this release;
2. drop it in a deferred migration one release later (phasegate split moves the statement).`,
	Notes: `squawk and strong_migrations do not flag these drops; GitLab treats every removal of something
the running code uses as a post-deployment step. phasegate follows GitLab. Objects created earlier in the
same change are not flagged. A view, materialized view, function or trigger that a later statement of the
same transaction creates again is replaced, not removed: the previous release never sees it missing (the
new definition is not compared with the old one; the runtime check proves the previous release still
works with it). DROP TABLE, DROP INDEX and DROP DATABASE have rules of their own.`,
	Examples: []Example{
		{SQL: "DROP VIEW active_users;", Flagged: true},
		{SQL: "DROP FUNCTION touch();", Flagged: true},
		{SQL: "DROP TYPE mood;", Flagged: true},
		{SQL: "DROP TRIGGER set_updated_at ON users;", Flagged: true},
		{SQL: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nDROP FUNCTION f();"},
		{SQL: "BEGIN;\nDROP VIEW active_users;\nCREATE VIEW active_users AS SELECT id, email FROM users;\nCOMMIT;"},
		{SQL: "BEGIN;\nDROP VIEW active_users;\nCOMMIT;\nCREATE VIEW active_users AS SELECT id FROM users;", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		d := c.Node.GetDropStmt()
		if d == nil {
			return nil
		}
		kind := ""
		switch d.RemoveType {
		case pg.ObjectType_OBJECT_VIEW:
			kind = "view"
		case pg.ObjectType_OBJECT_MATVIEW:
			kind = "materialized view"
		case pg.ObjectType_OBJECT_FUNCTION, pg.ObjectType_OBJECT_PROCEDURE, pg.ObjectType_OBJECT_ROUTINE, pg.ObjectType_OBJECT_AGGREGATE:
			kind = "function"
		case pg.ObjectType_OBJECT_TYPE, pg.ObjectType_OBJECT_DOMAIN:
			kind = "type"
		case pg.ObjectType_OBJECT_SEQUENCE:
			kind = "sequence"
		case pg.ObjectType_OBJECT_SCHEMA:
			kind = "schema"
		case pg.ObjectType_OBJECT_TRIGGER:
			kind = "trigger"
		case pg.ObjectType_OBJECT_EXTENSION:
			kind = "extension"
		default:
			return nil
		}
		var out []Finding
		for _, obj := range d.Objects {
			names := objectNames(obj)
			q := c.Catalog.ResolveNames(names)
			existed := true
			switch kind {
			case "view", "materialized view":
				existed = c.Existing(q)
			case "function":
				if o := c.Catalog.Functions[q]; o != nil {
					existed = !o.Origin.New
				}
			case "type":
				if t := c.Catalog.Types[q]; t != nil {
					existed = !t.Origin.New
				}
			case "sequence":
				if o := c.Catalog.Sequences[q]; o != nil {
					existed = !o.Origin.New
				}
			case "schema":
				if o := c.Catalog.Schemas[strings.Join(names, ".")]; o != nil {
					existed = !o.Origin.New
				}
			case "trigger":
				if len(names) >= 2 {
					table := c.Catalog.ResolveNames(names[:len(names)-1])
					if o := c.Catalog.Triggers[table.String()+"."+names[len(names)-1]]; o != nil {
						existed = !o.Origin.New
					} else {
						existed = c.Existing(table)
					}
					q.Name = names[len(names)-1] + " on " + table.String()
					q.Schema = ""
				}
			case "extension":
				if o := c.Catalog.Other["extension "+strings.Join(names, ".")]; o != nil {
					existed = !o.Origin.New
				}
			}
			if !existed || c.LaterInTransaction(func(n *pg.Node) bool { return recreates(c, kind, q, names, n) }) {
				continue
			}
			name := q.String()
			if kind == "schema" || kind == "extension" {
				name = strings.Join(names, ".")
			}
			out = append(out, finding("drops %s %s, which the previous release may still use", kind, name))
		}
		return out
	},
})

// recreates reports whether n creates the object a DROP removed: kind and
// q as the drop rule resolved them, names as written.
func recreates(c *Context, kind string, q schema.QName, names []string, n *pg.Node) bool {
	switch s := n.GetNode().(type) {
	case *pg.Node_ViewStmt:
		return kind == "view" && c.Catalog.Resolve(s.ViewStmt.View) == q
	case *pg.Node_CreateTableAsStmt:
		return kind == "materialized view" && s.CreateTableAsStmt.Objtype == pg.ObjectType_OBJECT_MATVIEW &&
			s.CreateTableAsStmt.Into != nil && c.Catalog.Resolve(s.CreateTableAsStmt.Into.Rel) == q
	case *pg.Node_CreateFunctionStmt:
		return kind == "function" && c.Catalog.ResolveNames(schema.Names(s.CreateFunctionStmt.Funcname)) == q
	case *pg.Node_CreateTrigStmt:
		if kind != "trigger" || len(names) < 2 {
			return false
		}
		table := c.Catalog.ResolveNames(names[:len(names)-1])
		return s.CreateTrigStmt.Trigname == names[len(names)-1] && c.Catalog.Resolve(s.CreateTrigStmt.Relation) == table
	}
	return false
}
