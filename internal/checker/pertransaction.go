package checker

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// onePerTransaction gathers the statements a rule reports once per
// transaction, or once per file for the statements outside transaction
// blocks (each its own transaction, all with the same fix): the first
// statement carries the finding, which names the others.
type onePerTransaction struct {
	tx, file *statementGroup // the groups still open
	all      []*statementGroup
}

// statementGroup is the statements one finding stands for.
type statementGroup struct {
	inTx  bool
	lines []int
}

// add puts the statement at line (of the migration file, 0 if unknown) in
// its group; first reports whether it opened the group (and so carries the
// finding).
func (o *onePerTransaction) add(inTx bool, line int) (first bool) {
	open := &o.file
	if inTx {
		open = &o.tx
	}
	if *open == nil {
		*open = &statementGroup{inTx: inTx, lines: []int{line}}
		o.all = append(o.all, *open)
		return true
	}
	if g := *open; g.lines[len(g.lines)-1] != line {
		g.lines = append(g.lines, line)
	}
	return false
}

// newTransaction closes the group of the transaction that ended.
func (o *onePerTransaction) newTransaction() { o.tx = nil }

// describe adds to each finding of rule r in res, in order, the other
// statements its group stands for.
func (o *onePerTransaction) describe(r *Rule, res *FileResult) {
	k := 0
	for i := range res.Statements {
		for j := range res.Statements[i].Findings {
			f := &res.Statements[i].Findings[j]
			if f.Rule != r || k >= len(o.all) {
				continue
			}
			g := o.all[k]
			k++
			if n := len(g.lines) - 1; n > 0 {
				where := "the same transaction"
				if !g.inTx {
					where = "the file outside transaction blocks"
				}
				f.Message += fmt.Sprintf("; so do %d more %s of %s%s",
					n, plural(n, "statement"), where, lineList(g.lines[1:]))
			}
		}
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// lineList writes " (line 4)" or " (lines 4, 7 and 9)", leaving out
// unknown lines (0); "" when none is known.
func lineList(lines []int) string {
	var s []string
	for _, l := range lines {
		if l > 0 {
			s = append(s, strconv.Itoa(l))
		}
	}
	switch len(s) {
	case 0:
		return ""
	case 1:
		return " (line " + s[0] + ")"
	}
	return " (lines " + strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1] + ")"
}

// ignores reports whether the statement carries phasegate:ignore for rule
// id: its finding is dropped, so it cannot stand for later statements.
func (c *Context) ignores(id string) bool {
	for _, d := range c.Stmt.Directives {
		if d.Kind == sqltext.Ignore && slices.Contains(d.Rules, id) {
			return true
		}
	}
	return false
}
