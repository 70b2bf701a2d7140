package split

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
)

// The SQL that split writes is built from the definitions the history
// holds (parse trees kept in the schema catalog), rendered back with
// PostgreSQL's own deparser, so that a type, a default or an index comes
// out exactly as the user wrote it, only with the names the recipe
// changes.

// deparse renders a statement.
func deparse(stmt *pg.Node) (string, error) {
	s, err := pg.DeparseStmt(stmt)
	if err != nil {
		return "", fmt.Errorf("render SQL: %w", err)
	}
	return s, nil
}

// exprSQL renders an expression.
func exprSQL(n *pg.Node) (string, error) {
	sel := &pg.SelectStmt{TargetList: []*pg.Node{pg.MakeResTargetNodeWithVal(n, 0)}}
	s, err := deparse(&pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: sel}})
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(s, "SELECT "), nil
}

// typeSQL renders a column type.
func typeSQL(t *pg.TypeName) (string, error) {
	null := &pg.Node{Node: &pg.Node_AConst{AConst: &pg.A_Const{Isnull: true}}}
	cast := &pg.TypeCast{Arg: null, TypeName: t}
	s, err := exprSQL(&pg.Node{Node: &pg.Node_TypeCast{TypeCast: cast}})
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(s, "NULL::"), nil
}

// renamedColumn returns a copy of a definition (an index, a constraint)
// with every reference to column from naming to instead: column
// references in expressions, index elements, and the column lists of
// constraints. String constants are left alone.
func renamedColumn[T pg.Message](def T, from, to string) T {
	out := pg.Clone(def)
	renameIn(out, from, to)
	return out
}

// renameIn renames column from to to in every column reference, index
// element and constraint column list under m.
func renameIn(m pg.Message, from, to string) {
	pg.Visit(m, func(m pg.Message) bool {
		switch v := m.(type) {
		case *pg.ColumnRef:
			if n := len(v.Fields); n > 0 {
				if s := v.Fields[n-1].GetString_(); s != nil && s.Sval == from {
					s.Sval = to
				}
			}
			return false
		case *pg.IndexElem:
			if v.Name == from {
				v.Name = to
			}
		case *pg.Constraint:
			for _, list := range [][]*pg.Node{v.Keys, v.FkAttrs, v.Including} {
				for _, k := range list {
					if s := k.GetString_(); s != nil && s.Sval == from {
						s.Sval = to
					}
				}
			}
		case *pg.A_Const:
			return false
		}
		return true
	})
}

// mentions reports whether an expression or definition references column.
func mentions(def pg.Message, column string) bool {
	probe := pg.Clone(def)
	renameIn(probe, column, column+"\x00")
	return !pg.Equal(probe, def)
}

// ident quotes a name where PostgreSQL needs it.
func ident(name string) string { return schema.QuoteIdent(name) }

// objectName joins parts into a new object's name. A name longer than
// PostgreSQL's 63 bytes is cut on a character boundary and ends with a
// hash of the whole name, so that two long names that share their first
// 63 bytes (two columns of one long table) stay apart.
func objectName(parts ...string) string {
	s := strings.Join(parts, "_")
	if len(s) <= 63 {
		return s
	}
	sum := sha1.Sum([]byte(s))
	suffix := "_" + hex.EncodeToString(sum[:])[:8]
	cut := 63 - len(suffix)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + suffix
}

// literal quotes a string as an SQL literal.
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// stableDefault reports whether a default expression gives the same value
// every time it is evaluated in one statement: constants, casts and
// functions of the transaction's time. A trigger that compares a column
// with its default can only tell "not written" from "written" then.
func stableDefault(n *pg.Node) bool {
	ok := true
	pg.Visit(n, func(m pg.Message) bool {
		switch v := m.(type) {
		case *pg.FuncCall:
			name := ""
			if k := len(v.Funcname); k > 0 {
				name = v.Funcname[k-1].GetString_().GetSval()
			}
			switch name {
			case "now", "transaction_timestamp", "statement_timestamp", "current_date", "lower", "upper", "btrim", "jsonb_build_object", "json_build_object", "array", "make_interval":
			default:
				ok = false
			}
		case *pg.SubLink:
			ok = false
		}
		return ok
	})
	return ok
}
