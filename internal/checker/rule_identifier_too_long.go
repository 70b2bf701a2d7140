package checker

import (
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var identifierTooLong = &Rule{
	ID:       "identifier-too-long",
	Category: Other, Severity: Error,
	Summary: "a table, column, index or constraint name longer than 63 bytes",
	Why:     "PostgreSQL silently truncates it to 63 bytes: SQL that names the object still works (the name is truncated the same way), but whatever compares the full name as a string (a catalog lookup such as a DO block checking pg_constraint, schema-diff tools) does not find it",
	Fix:     "shorten the name to at most 63 bytes",
	Notes: `squawk flags it (identifier-too-long), also where a statement only refers to the name (DROP INDEX
of the long name); PostgreSQL truncates every use of the name the same way, so the reference still finds
the object, and phasegate flags only the names a statement gives to new objects.`,
	Examples: []Example{
		{SQL: "CREATE INDEX CONCURRENTLY index_users_on_email_and_name_and_status_and_created_at_and_org_id_and_more ON users (email);", Flagged: true},
		{SQL: "CREATE INDEX CONCURRENTLY users_email_name_idx ON users (email, name);"},
	},
	Check: func(c *Context) []Finding {
		var names []string
		switch n := c.Node.GetNode().(type) {
		case *pg.Node_CreateStmt:
			names = append(names, n.CreateStmt.Relation.GetRelname())
			for _, e := range n.CreateStmt.TableElts {
				if def := e.GetColumnDef(); def != nil {
					names = append(names, def.Colname)
				}
				if con := e.GetConstraint(); con != nil {
					names = append(names, con.Conname)
				}
			}
		case *pg.Node_IndexStmt:
			names = append(names, n.IndexStmt.Idxname)
		case *pg.Node_RenameStmt:
			names = append(names, n.RenameStmt.Newname)
		case *pg.Node_AlterTableStmt:
			for _, cn := range n.AlterTableStmt.Cmds {
				cmd := cn.GetAlterTableCmd()
				if def := cmd.GetDef().GetColumnDef(); def != nil {
					names = append(names, def.Colname)
				}
				if con := cmd.GetDef().GetConstraint(); con != nil {
					names = append(names, con.Conname)
				}
			}
		}
		var out []Finding
		for _, name := range names {
			// The parser has already truncated the name to 63 bytes; the
			// statement's text has it in full.
			if len(name) < 63 {
				continue
			}
			if full := longIdentifier(c.Stmt.Text, name); full != "" {
				out = append(out, finding("%q is %d bytes long; PostgreSQL truncates it to %q", full, len(full), name))
			}
		}
		return out
	},
}

// longIdentifier finds in text an identifier that starts with the
// truncated name and goes on, and returns it in full.
func longIdentifier(text, truncated string) string {
	lower := strings.ToLower(text)
	for off := 0; ; {
		i := strings.Index(lower[off:], truncated)
		if i < 0 {
			return ""
		}
		start := off + i
		end := start + len(truncated)
		for end < len(text) && isIdentByte(text[end]) {
			end++
		}
		if end > start+len(truncated) {
			return text[start:end]
		}
		off = start + 1
	}
}

func isIdentByte(b byte) bool {
	return b == '_' || b == '$' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}
