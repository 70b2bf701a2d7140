package checker

import (
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

var dropObject = &Rule{
	ID:       "drop-object",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "DROP of a view, materialized view, function, procedure, type, domain, sequence, schema, trigger or extension that exists in production",
	Why:     "the previous release may still query the view, call the function, cast to the type or rely on what the trigger does",
	Fix: `1. stop using the object in this release;
2. drop it in a deferred migration one release later (phasegate split moves the statement).`,
	Notes: `squawk and strong_migrations do not flag these drops; GitLab treats every removal of something
the running code uses as a post-deployment step. phasegate follows GitLab. Objects created earlier in the
same change are not flagged. An object that a later statement of the same transaction creates again is
judged by what differs between the one the transaction found and the one it leaves: a view or
materialized view without a column it had, an enum without a label, a composite type without an
attribute (or with another type for it), a domain over another base type or with a new NOT NULL or
CHECK, a sequence (its current value is lost unless setval() puts it back) are contracts that say what
they lose; the same or more is not flagged. A view whose columns phasegate cannot tell (a * over a table
the history does not fully define), a function or a trigger created again are taken as replaced (the
runtime check proves the previous release works with the new definition); a type whose definitions cannot
be compared stays a contract and says so. A name the transaction itself gave (ALTER TYPE mood RENAME TO
mood_old; ... DROP TYPE mood_old) was never the previous release's: dropping it is not flagged, unless
CASCADE also drops columns or views production has. DROP TABLE, DROP INDEX and DROP DATABASE have rules
of their own.`,
	Examples: []Example{
		{SQL: "DROP VIEW active_users;", Flagged: true},
		{SQL: "DROP FUNCTION touch();", Flagged: true},
		{SQL: "DROP TYPE mood;", Flagged: true},
		{SQL: "DROP TRIGGER set_updated_at ON users;", Flagged: true},
		{SQL: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nDROP FUNCTION f();"},
		{SQL: "BEGIN;\nDROP VIEW active_users;\nCREATE VIEW active_users AS SELECT * FROM users WHERE status <> 'banned';\nCOMMIT;"},
		{SQL: "BEGIN;\nDROP VIEW active_users;\nCOMMIT;\nCREATE VIEW active_users AS SELECT id FROM users;", Flagged: true},
		{SQL: "BEGIN;\nDROP VIEW active_users;\nCREATE VIEW active_users AS SELECT id FROM users;\nCOMMIT;", Flagged: true},
		{SQL: "BEGIN;\nDROP TYPE mood;\nCREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\nCOMMIT;"},
		{SQL: "BEGIN;\nDROP TYPE mood;\nCREATE TYPE mood AS ENUM ('ok', 'happy');\nCOMMIT;", Flagged: true},
		{Base: "CREATE TYPE addr AS (street text, zip text);", SQL: "BEGIN;\nDROP TYPE addr;\nCREATE TYPE addr AS (street text, zip text, city text);\nCOMMIT;"},
		{Base: "CREATE TYPE addr AS (street text, zip text);", SQL: "BEGIN;\nDROP TYPE addr;\nCREATE TYPE addr AS (street text, zip int);\nCOMMIT;", Flagged: true},
		{Base: "CREATE DOMAIN email AS text CHECK (value LIKE '%@%');", SQL: "BEGIN;\nDROP DOMAIN email;\nCREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');\nCOMMIT;"},
		{Base: "CREATE DOMAIN email AS text;", SQL: "BEGIN;\nDROP DOMAIN email;\nCREATE DOMAIN email AS text NOT NULL;\nCOMMIT;", Flagged: true},
		{SQL: "BEGIN;\nDROP SEQUENCE invoice_seq;\nCREATE SEQUENCE invoice_seq;\nCOMMIT;", Flagged: true},
		{Base: "CREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE t (m mood);", SQL: "BEGIN;\nDROP TYPE mood CASCADE;\nCREATE TYPE mood AS ENUM ('sad', 'ok');\nCOMMIT;", Flagged: true},
		{Base: "CREATE VIEW active_users AS SELECT id, email FROM users;\nCREATE VIEW user_emails AS SELECT email FROM active_users;", SQL: "BEGIN;\nDROP VIEW active_users CASCADE;\nCREATE VIEW active_users AS SELECT id, email, name FROM users;\nCREATE VIEW user_emails AS SELECT email FROM active_users;\nCOMMIT;"},
		{Base: "CREATE VIEW active_users AS SELECT id, email FROM users;\nCREATE VIEW user_emails AS SELECT email FROM active_users;", SQL: "BEGIN;\nDROP VIEW active_users CASCADE;\nCREATE VIEW active_users AS SELECT id, email, name FROM users;\nCOMMIT;", Flagged: true},
		{Base: "CREATE TYPE addr AS (street text);", SQL: "BEGIN;\nALTER TYPE addr ADD ATTRIBUTE zip text;\nDROP TYPE addr;\nCREATE TYPE addr AS (street text);\nCOMMIT;"},
		{Base: "CREATE DOMAIN id_t AS bigint;\nCREATE TABLE t (id id_t, name text);\nCREATE SEQUENCE s OWNED BY t.id;\nCREATE SEQUENCE x;", SQL: "BEGIN;\nDROP DOMAIN id_t CASCADE;\nALTER SEQUENCE x RENAME TO s;\nDROP SEQUENCE s;\nCOMMIT;", Flagged: true},
		{Base: "CREATE SCHEMA app;\nCREATE TYPE mood AS ENUM ('sad', 'ok');\nCREATE TABLE t (m mood);\nCREATE FUNCTION app.mood() RETURNS int LANGUAGE sql AS 'SELECT 1';", SQL: "SET search_path = app, public;\nBEGIN;\nALTER TYPE mood RENAME TO mood_old;\nCREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');\nALTER TABLE t ALTER COLUMN m TYPE public.mood USING m::text::public.mood;\nDROP TYPE mood_old;\nCOMMIT;"},
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
		named := map[schema.QName]bool{}
		for _, obj := range d.Objects {
			named[c.Catalog.ResolveNames(objectNames(obj))] = true
		}
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
			if !existed {
				continue
			}
			var lost []string
			if d.Behavior == pg.DropBehavior_DROP_CASCADE {
				lost = c.cascadeLosses(kind, q, named)
			}
			cascade := ""
			if len(lost) > 0 {
				cascade = "; CASCADE also drops " + strings.Join(lost, ", ")
			}
			if f, judged := c.droppedAndRecreated(kind, q, names, cascade); judged {
				if f != nil {
					out = append(out, *f)
				}
				continue
			}
			name := q.String()
			if kind == "schema" || kind == "extension" {
				name = strings.Join(names, ".")
			}
			out = append(out, finding("drops %s %s, which the previous release may still use%s", kind, name, cascade))
		}
		return out
	},
}

// droppedAndRecreated judges the drop of object q (of kind) by what the
// transaction leaves under its name: nothing (judged is false: a plain
// drop), the same or more (no finding), or less (a finding that says what
// differs). A name the transaction itself gave is not the previous
// release's: only what CASCADE takes counts.
func (c *Context) droppedAndRecreated(kind string, q schema.QName, names []string, cascade string) (f *Finding, judged bool) {
	if !c.InTransaction() {
		return nil, false
	}
	if c.namedInTransaction(kind, q) {
		if cascade != "" {
			fd := finding("drops %s %s, which the transaction renamed%s", kind, q, cascade)
			return &fd, true
		}
		return nil, true
	}
	switch kind {
	case "function", "trigger":
		// Created again: replaced, not compared (the runtime check proves
		// the previous release works with the new definition).
		if cascade == "" && c.LaterInTransaction(func(n *pg.Node) bool { return recreates(c, kind, q, names, n) }) {
			return nil, true
		}
		return nil, false
	}
	exists, diff, known := c.replacement(kind, q)
	switch {
	case !exists:
		return nil, false
	case known && diff == "" && cascade == "":
		return nil, true
	case known && diff != "":
		fd := finding("drops %s %s and creates it again in the same transaction %s%s", kind, q, diff, cascade)
		return &fd, true
	case !known && cascade == "" && (kind == "view" || kind == "materialized view"):
		return nil, true // replaced, its columns not told apart: as functions
	case !known:
		fd := finding("drops %s %s, which the previous release may still use (the transaction creates it again, but phasegate cannot compare the two definitions)%s", kind, q, cascade)
		return &fd, true
	}
	return nil, false
}

// recreates reports whether n creates the function or trigger a DROP
// removed: kind and q as the drop rule resolved them, names as written.
func recreates(c *Context, kind string, q schema.QName, names []string, n *pg.Node) bool {
	switch s := n.GetNode().(type) {
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
