package checker

import (
	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/sqltext"
)

var unknownEffect = &Rule{
	ID:       "unknown-effect",
	Category: Compatibility, Phase: Unknown, Severity: Error,
	Summary: "DO blocks that run dynamic SQL, CALL, SELECT of a user function, EXECUTE, row level security and trigger switches: statements whose effect on the previous release phasegate cannot judge",
	Why:     "the statement may run any DDL or change what the previous release sees, and nothing in its text says what",
	Fix: `write the DDL as plain statements so phasegate can judge them, or state the phase on the line before:
-- phasegate:phase expand <why the previous release is unaffected>
-- phasegate:phase contract <what it removes>`,
	Notes: `No reference linter judges these: squawk and strong_migrations skip them silently. phasegate
treats them as unknown, which is handled like contract until a directive says otherwise. A DO block in
PL/pgSQL is read with PostgreSQL's PL/pgSQL parser: the statements of its body are judged by every rule
like any other (under IF or a loop they count as run); only dynamic SQL (EXECUTE of a computed string),
another language or a body that does not parse make it unknown. Only a SELECT without FROM counts as
calling a function for its effect (SELECT migrate_tenants()); a SELECT that reads a table, aggregates and
well-known built-in functions (length, format, now, nextval, setval, pg_advisory_lock...) do not.`,
	Examples: []Example{
		{SQL: "DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'events'; END $$;", Flagged: true},
		{SQL: "SELECT migrate_tenants();", Flagged: true},
		{SQL: "CALL backfill();", Flagged: true},
		{SQL: "ALTER TABLE users ENABLE ROW LEVEL SECURITY;", Flagged: true},
		{SQL: "SELECT set_config('lock_timeout', '5s', false);"},
		{SQL: "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'tier') THEN CREATE TYPE tier AS ENUM ('free'); END IF; END $$;"},
		{SQL: "SELECT setval('invoice_seq', 100);"},
		{SQL: "SELECT max(length(email)) FROM users;"},
		{SQL: "DO $$ DECLARE n bigint; BEGIN SELECT max(length(email)) INTO n FROM users; END $$;"},
	},
	File: func(f *FileContext) []Finding {
		// What an ORM migration runs besides the SQL it renders.
		var out []Finding
		for _, u := range f.Unjudged {
			out = append(out, finding("%s: phasegate cannot tell what it changes", u.What).at(&sqltext.Position{Line: max(u.Line, 1), Column: 1}))
		}
		return out
	},
	Check: func(c *Context) []Finding {
		switch n := c.Node.GetNode().(type) {
		case *pg.Node_DoStmt:
			body, err := schema.ParseDo(n.DoStmt)
			if err != nil {
				return []Finding{finding("DO block: %v, so phasegate cannot tell what it changes", err)}
			}
			if len(body.Dynamic) > 0 {
				return []Finding{finding("DO block runs SQL computed at run time (EXECUTE, line %d of its body): phasegate cannot tell what it changes", body.Dynamic[0])}
			}
		case *pg.Node_CallStmt:
			return []Finding{finding("CALL runs a procedure phasegate cannot see into")}
		case *pg.Node_ExecuteStmt:
			return []Finding{finding("EXECUTE runs a prepared statement phasegate cannot see")}
		case *pg.Node_SelectStmt:
			if fn := userFunctionCall(n.SelectStmt); fn != "" {
				return []Finding{finding("SELECT calls %s(), which may change the schema or data in ways phasegate cannot see", fn)}
			}
		case *pg.Node_CreatePolicyStmt:
			q := c.Catalog.Resolve(n.CreatePolicyStmt.Table)
			if c.Existing(q) {
				return []Finding{finding("creates a row security policy on %s, which may hide rows from the previous release", q)}
			}
		case *pg.Node_AlterPolicyStmt:
			return []Finding{finding("changes a row security policy, which may hide rows from the previous release")}
		case *pg.Node_AlterTableStmt:
			_, cmds, q := c.AlterExisting()
			var out []Finding
			for _, cmd := range cmds {
				switch cmd.Subtype {
				case pg.AlterTableType_AT_EnableRowSecurity, pg.AlterTableType_AT_ForceRowSecurity:
					out = append(out, finding("turns on row level security for %s, which may hide rows from the previous release", q))
				case pg.AlterTableType_AT_DisableTrig, pg.AlterTableType_AT_DisableTrigAll, pg.AlterTableType_AT_DisableTrigUser:
					out = append(out, finding("disables triggers of %s that the previous release may rely on", q))
				}
			}
			return out
		}
		return nil
	},
}

// userFunctionCall returns the name of the function a SELECT without FROM
// calls for its effect (not an aggregate or a well-known built-in), or "":
// the same judgement the catalog's replay makes (schema.CalledFunction).
func userFunctionCall(s *pg.SelectStmt) string { return schema.CalledFunction(s) }
