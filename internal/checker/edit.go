package checker

import (
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// Edit is a fix that can be applied as it is: lines Line to EndLine of
// the migration file (1-based, whole lines, without their final newline)
// replaced by New. Old holds those lines as the checker read them, so
// whoever applies the edit (a pull request suggestion) first checks that
// the file still says that.
//
// A rule gives an Edit only when the rewrite of those lines is right by
// itself, in this file, for this migration tool: CONCURRENTLY on an index
// the tool builds outside a transaction, a lock_timeout set before the
// statement, NOT VALID followed by VALIDATE CONSTRAINT when the two run
// as separate transactions. A wrong one-click fix is worse than none, so
// every doubt (a file the tool hashes, a block the tool sends whole,
// comments a rewrite would drop, a transaction the edit would open or
// close) means no Edit.
type Edit struct {
	Line, EndLine int
	Old, New      string
}

// withEdit returns f with edit e (nil for none).
func (f Finding) withEdit(e *Edit) Finding {
	f.Edit = e
	return f
}

// editable reports whether the statement of c may get an Edit: a file of
// a format whose files may be edited line for line (source.LineEditable),
// with plain line ends, no block a tool sends whole (StatementBegin), not
// rendered from a template (the statement's text is not the file's: pop's
// {{ ... }}), and a statement of the file itself (not one of a DO block's
// body).
func (c *Context) editable() bool {
	if c.File == nil || c.Stmt == nil || !lineEditable(c.Format) || c.File.Rendered != nil {
		return false
	}
	src := c.File.Src
	switch {
	case strings.HasPrefix(string(src), "\xEF\xBB\xBF"), strings.ContainsRune(string(src), '\r'),
		strings.Contains(string(src), "StatementBegin"):
		return false
	}
	return c.Node == c.Stmt.Node
}

// lineEditable reports whether the files of the format called name may
// be edited line for line.
func lineEditable(name string) bool {
	f, _ := source.Lookup(name)
	return source.IsLineEditable(f)
}

// stmtLines returns the lines the statement of c spans, through its
// semicolon, and the blanks it is indented with. ok is false unless the
// statement has those lines to itself: only blanks before it on its first
// line, only blanks after its semicolon on its last.
func (c *Context) stmtLines() (first, last int, indent string, ok bool) {
	src := string(c.File.Src)
	s := c.Stmt
	lineStart := strings.LastIndexByte(src[:s.Start], '\n') + 1
	indent = src[lineStart:s.Start]
	if strings.Trim(indent, " \t") != "" {
		return 0, 0, "", false
	}
	i := s.End
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n') {
		i++
	}
	if i >= len(src) || src[i] != ';' {
		return 0, 0, "", false
	}
	rest := src[i+1:]
	if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
		rest = rest[:nl]
	}
	if strings.Trim(rest, " \t") != "" {
		return 0, 0, "", false
	}
	return s.Pos.Line, c.File.Pos(i).Line, indent, true
}

// lines returns lines first to last of the file, joined by newlines.
func (c *Context) lines(first, last int) string {
	all := strings.Split(string(c.File.Src), "\n")
	if first < 1 || last > len(all) || first > last {
		return ""
	}
	return strings.Join(all[first-1:last], "\n")
}

// replaceEdit is the Edit that replaces the statement of c, through its
// semicolon, by stmts, one per line at the statement's indent. Each of
// stmts must end in ";" and parse to what want's statement of the same
// index parses to (the deparsed recipe): a textual edit that means
// something else is dropped.
func (c *Context) replaceEdit(stmts []string, want []string) *Edit {
	if !c.editable() {
		return nil
	}
	first, last, indent, ok := c.stmtLines()
	if !ok {
		return nil
	}
	text := indent + strings.Join(stmts, "\n"+indent)
	if !sameStatements(text, want) {
		return nil
	}
	return &Edit{Line: first, EndLine: last, Old: c.lines(first, last), New: text}
}

// insertEdit is the Edit that puts stmt (one statement, ending in ";") on
// a line of its own before line of the file (the statement of c's first,
// or a line of comments above it), at the statement's indent.
func (c *Context) insertEdit(stmt string, line int) *Edit {
	if !c.editable() {
		return nil
	}
	first, _, indent, ok := c.stmtLines()
	if !ok || line > first || line < 1 {
		return nil
	}
	if !sameStatements(indent+stmt+"\n"+indent+c.Stmt.Text+";", []string{stmt, c.Stmt.Text}) {
		return nil
	}
	old := c.lines(line, line)
	return &Edit{Line: line, EndLine: line, Old: old, New: indent + stmt + "\n" + old}
}

// txAfter says how the migration tool runs the file once the statement of
// c is replaced by nodes: inside a transaction block or not, and whether
// Flyway refuses the mix. A BEGIN of the file around the statement counts
// as a transaction block.
func (c *Context) txAfter(nodes ...*pg.Node) (inTx, mixed bool) {
	var stmts []*sqltext.Statement
	for _, s := range c.File.Statements {
		if s != c.Stmt {
			stmts = append(stmts, s)
			continue
		}
		for _, n := range nodes {
			stmts = append(stmts, &sqltext.Statement{Node: n})
		}
	}
	inTx, mixed = FileTransaction(c.sess.tx, stmts)
	return inTx || c.ExplicitTransaction(), mixed
}

// keepsTransaction reports whether replacing the statement of c by nodes
// leaves the way the tool runs the file as it is for the statements that
// care: not mixed for Flyway, and no statement PostgreSQL refuses in a
// transaction block moved into one.
func (c *Context) keepsTransaction(nodes ...*pg.Node) bool {
	inTx, mixed := c.txAfter(nodes...)
	if mixed {
		return false
	}
	if !inTx || c.InTransaction() {
		return true
	}
	for _, s := range c.File.Statements {
		if nonTransactional(s.Node) != "" {
			return false
		}
	}
	return true
}

// parseOne parses SQL of one statement, or returns nil.
func parseOne(sql string) *pg.Node {
	tree, err := pg.Parse(sql)
	if err != nil || len(tree.Stmts) != 1 {
		return nil
	}
	return tree.Stmts[0].Stmt
}

// sameStatements reports whether text parses to as many statements as
// want holds, each deparsing to what the statement of want at its index
// deparses to.
func sameStatements(text string, want []string) bool {
	got, err := pg.Parse(text)
	if err != nil || len(got.Stmts) != len(want) {
		return false
	}
	for i, w := range want {
		wn := parseOne(w)
		if wn == nil {
			return false
		}
		a, b := deparse(got.Stmts[i].Stmt), deparse(wn)
		if a == "" || a != b {
			return false
		}
	}
	return true
}

// hasComments reports whether SQL holds a comment, which a rewrite
// through the deparser would drop.
func hasComments(sql string) bool {
	res, err := pg.Scan(sql)
	if err != nil {
		return true
	}
	for _, t := range res.Tokens {
		if t.Token == pg.Token_SQL_COMMENT || t.Token == pg.Token_C_COMMENT {
			return true
		}
	}
	return false
}

// afterToken returns the offset just after the first token tok of sql, or
// -1.
func afterToken(sql string, tok pg.Token) int {
	res, err := pg.Scan(sql)
	if err != nil {
		return -1
	}
	for _, t := range res.Tokens {
		if t.Token == tok {
			return int(t.End)
		}
	}
	return -1
}

// stepsEdit is the Edit that replaces the statement of c by steps, which
// must run as transactions of their own (a constraint NOT VALID, then
// VALIDATE CONSTRAINT): only when the tool runs the file outside any
// transaction block. first, if set, is the first step written into the
// statement's own text (its layout and comments kept), which must mean
// what steps[0] says; without it the statement may hold no comment, as
// the deparsed steps would lose it.
func (c *Context) stepsEdit(first string, steps ...string) *Edit {
	if !c.editable() {
		return nil
	}
	var nodes []*pg.Node
	for _, s := range steps {
		n := parseOne(s)
		if s == "" || n == nil {
			return nil
		}
		nodes = append(nodes, n)
	}
	if inTx, mixed := c.txAfter(nodes...); inTx || mixed {
		return nil
	}
	texts := append([]string(nil), steps...)
	switch {
	case first != "":
		texts[0] = first
	case hasComments(c.Stmt.Text):
		return nil
	}
	return c.replaceEdit(texts, steps)
}
