package pgtree

import (
	"strings"
	"sync"

	"github.com/pganalyze/pg_query_go/v5/parser"
)

var decoders = sync.Pool{New: func() any { return new(decoder) }}

// Parse parses sql with PostgreSQL's parser and returns its tree. It
// decodes libpg_query's JSON output with generated code, which is several
// times faster than having libpg_query write protobuf, and falls back to
// protobuf (parseProtobuf) where the JSON loses a value.
//
// For invalid SQL the error is libpg_query's *parser.Error.
// If libpg_query's JSON does not match the descriptors the decoder was
// generated from, the error is a *DecodeError.
func Parse(sql string) (*ParseResult, error) {
	js, err := parser.ParseToJSON(sql)
	if err != nil {
		return nil, err
	}
	d := decoders.Get().(*decoder)
	defer func() {
		d.reset("", "")
		decoders.Put(d)
	}()
	text := sql
	if i := strings.IndexByte(sql, 0); i >= 0 {
		text = sql[:i] // libpg_query reads sql as a C string
	}
	d.reset(js, text)
	res, err := d.decode()
	if err != nil {
		return nil, err
	}
	if d.badUTF8 {
		// Reading protobuf fails on strings that are not valid UTF-8,
		// as pg_query_go's does; let it produce that error.
		return parseProtobuf(sql)
	}
	if len(d.redo) > 0 && !reparse(text, d.redo) {
		return parseProtobuf(sql)
	}
	return res, nil
}

// stmtText returns the text of statement m in sql: from its location to its
// terminating ';' (or to the end of sql for the last statement).
func stmtText(sql string, m *RawStmt) string {
	lo := int(m.StmtLocation)
	if lo < 0 || lo > len(sql) {
		return sql
	}
	hi := len(sql)
	if m.StmtLen > 0 && lo+int(m.StmtLen) <= len(sql) {
		hi = lo + int(m.StmtLen)
	}
	return sql[lo:hi]
}

// reparse replaces the trees of the statements in redo by the ones
// parseProtobuf gives for their text, preceded by as many spaces as the
// statement's offset in sql so that all locations stay the same. It
// reports false, when that would cost more than parsing all of sql again
// or went wrong, for the caller to use parseProtobuf(sql) instead.
func reparse(sql string, redo []*RawStmt) bool {
	// Parsing a byte of SQL costs about fifty times as much as lexing a
	// byte of leading spaces.
	const padCost = 32
	cost := 0
	for _, m := range redo {
		cost += int(m.StmtLocation)/padCost + len(stmtText(sql, m))
	}
	if cost > len(sql) {
		return false
	}
	var b strings.Builder
	for _, m := range redo {
		text := stmtText(sql, m)
		b.Reset()
		b.Grow(int(m.StmtLocation) + len(text))
		for range m.StmtLocation {
			b.WriteByte(' ')
		}
		b.WriteString(text)
		r, err := parseProtobuf(b.String())
		if err != nil || len(r.Stmts) != 1 {
			return false
		}
		m.Stmt = r.Stmts[0].Stmt
	}
	return true
}

// SQL text helpers, after PostgreSQL's scan.l (PostgreSQL 16).

// skipSpace returns the offset of the first byte at or after i in sql that
// is not whitespace or part of a comment.
func skipSpace(sql string, i int) int {
	for i < len(sql) {
		switch c := sql[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' && sql[i] != '\r' {
				i++
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			depth := 0
			for i < len(sql) {
				if sql[i] == '/' && i+1 < len(sql) && sql[i+1] == '*' {
					depth++
					i += 2
				} else if sql[i] == '*' && i+1 < len(sql) && sql[i+1] == '/' {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
		default:
			return i
		}
	}
	return i
}

// intLiteral reads the integer literal (decimal, 0x, 0o or 0b, with
// PostgreSQL 16's underscores between digits) at sql[i:], which the lexer
// turns into an Iconst. It reports false if there is none, if it is
// followed by anything that would make the lexer read a longer token, or
// if it does not fit an int32 (the lexer makes those an FCONST).
func intLiteral(sql string, i int) (int32, bool) {
	if i >= len(sql) || sql[i] < '0' || sql[i] > '9' {
		return 0, false
	}
	base := uint64(10)
	if sql[i] == '0' && i+1 < len(sql) {
		switch sql[i+1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 10 {
			i += 2
		}
	}
	var v uint64
	digits := 0
	for ; i < len(sql); i++ {
		c := sql[i]
		var dv uint64
		switch {
		case c >= '0' && c <= '9':
			dv = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			dv = uint64(c-'a') + 10
		case c >= 'A' && c <= 'F':
			dv = uint64(c-'A') + 10
		case c == '_':
			// Only between digits (or after a base prefix).
			if i+1 >= len(sql) || digitValue(sql[i+1]) >= base || (digits == 0 && base == 10) {
				return 0, false
			}
			continue
		default:
			dv = 99
		}
		if dv >= base {
			break
		}
		v = v*base + dv
		digits++
		if v > 1<<31-1 {
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(sql) {
		if c := sql[i]; c == '.' || c == '_' || c == '$' || c >= 0x80 ||
			c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return 0, false // a numeric, or junk the lexer rejects
		}
	}
	return int32(v), true
}

func digitValue(c byte) uint64 {
	switch {
	case c >= '0' && c <= '9':
		return uint64(c - '0')
	case c >= 'a' && c <= 'f':
		return uint64(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return uint64(c-'A') + 10
	}
	return 99
}

// intConstAt returns the value of the integer constant (an A_Const whose
// value the JSON omitted, so 0 or negative) at byte offset loc in sql: a
// literal 0, or '-' and a literal (the grammar folds a negated literal into
// one constant located at the '-'). It reports false for anything else.
func intConstAt(sql string, loc int32) (int32, bool) {
	if loc < 0 || int(loc) >= len(sql) {
		return 0, false
	}
	i := int(loc)
	switch c := sql[i]; {
	case c >= '0' && c <= '9':
		if v, ok := intLiteral(sql, i); ok && v == 0 {
			return 0, true
		}
	case c == '-':
		if v, ok := intLiteral(sql, skipSpace(sql, i+1)); ok {
			return -v, true
		}
	}
	return 0, false
}

// mayHaveZeroBound reports whether text (one statement) may contain an
// array bound written as zero, '[' 0 ']': whether some '[' is followed,
// after whitespace and comments, by a '0'.
func mayHaveZeroBound(text string) bool {
	for i := 0; i < len(text); i++ {
		if text[i] == '[' {
			j := skipSpace(text, i+1)
			if j >= len(text) || text[j] == '0' {
				return true
			}
		}
	}
	return false
}
