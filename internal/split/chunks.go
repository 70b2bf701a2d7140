package split

import (
	"fmt"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// Where each statement of a split migration goes.
type side int

const (
	now       side = iota // expand: stays
	later                 // contract or unknown: moves to the deferred migration as written
	both                  // session settings and transaction control: in both files
	rewritten             // cut by a recipe into expand, online and contract parts
)

// isSession reports statements that set up the session or the
// transaction: both halves need them.
func isSession(n *pg.Node) bool {
	switch n.GetNode().(type) {
	case *pg.Node_VariableSetStmt, *pg.Node_TransactionStmt:
		return true
	}
	return false
}

// chunksOf cuts the up section into one piece per statement: the comments
// and blank lines before it, the statement, its semicolon and the rest of
// its line (a trailing comment). The last statement of a block (goose's
// StatementBegin ... StatementEnd) takes the block's end marker with it.
func chunksOf(src string, stmts []*sqltext.Statement, up sqltext.Region, blocks []sqltext.Region) []string {
	out := make([]string, len(stmts))
	start := up.Start
	for i := range stmts {
		end := chunkEnd(src, stmts, i, up, blocks)
		out[i] = src[start:end]
		start = end
	}
	return out
}

func chunkEndOf(src string, stmts []*sqltext.Statement, up sqltext.Region, blocks []sqltext.Region) int {
	if len(stmts) == 0 {
		return up.Start
	}
	return chunkEnd(src, stmts, len(stmts)-1, up, blocks)
}

func chunkEnd(src string, stmts []*sqltext.Statement, i int, up sqltext.Region, blocks []sqltext.Region) int {
	end := afterStatement(src, stmts[i].End, up.End)
	if b, ok := blockOf(blocks, stmts[i].Start); ok && b.End > end && b.End <= up.End {
		if i+1 == len(stmts) || stmts[i+1].Start >= b.End {
			end = b.End
		}
	}
	return end
}

// blockOf finds the block that holds offset at.
func blockOf(blocks []sqltext.Region, at int) (sqltext.Region, bool) {
	for _, b := range blocks {
		if b.Start <= at && at < b.End {
			return b, true
		}
	}
	return sqltext.Region{}, false
}

// keepBlocks moves every statement of a block with the block's deferred
// statements: the tool sends a block as one unit, so its statements cannot
// end up in different files.
func keepBlocks(stmts []*sqltext.Statement, sides []side, blocks []sqltext.Region) []string {
	var notes []string
	for _, b := range blocks {
		var in []int
		deferred := -1
		for i, s := range stmts {
			if b.Start <= s.Start && s.Start < b.End {
				in = append(in, i)
				if sides[i] == later && deferred < 0 {
					deferred = i
				}
			}
		}
		if deferred < 0 {
			continue
		}
		for _, i := range in {
			if sides[i] == now {
				sides[i] = later
				notes = append(notes, fmt.Sprintf("line %d moves with line %d: they are in the same StatementBegin/StatementEnd block", stmts[i].Pos.Line, stmts[deferred].Pos.Line))
			}
		}
	}
	return notes
}

// afterStatement returns the offset after a statement's semicolon and the
// rest of that line when it holds only blanks or a comment.
func afterStatement(src string, end, limit int) int {
	j := end
	for j < limit && (src[j] == ' ' || src[j] == '\t' || src[j] == '\r' || src[j] == '\n') {
		j++
	}
	if j < limit && src[j] == ';' {
		j++
	} else {
		j = end
	}
	k := j
	for k < limit && (src[k] == ' ' || src[k] == '\t' || src[k] == '\r') {
		k++
	}
	if k+1 < limit && src[k] == '-' && src[k+1] == '-' {
		for k < limit && src[k] != '\n' {
			k++
		}
	}
	if k < limit && src[k] == '\n' {
		return k + 1
	}
	if k == limit {
		return k
	}
	return j
}

// linkGroups moves the expand statements that depend on a deferred one:
// a statement after it that names what it renames, drops or changes (the
// view that keeps a renamed table's old name alive, a comment or index on
// a renamed column, a column re-added after a drop). Left behind, such a
// statement would fail in PostgreSQL, or run against the wrong object.
// The match is by name, so it errs on the side of moving too much: a moved
// expand statement is only applied later.
func linkGroups(stmts []*sqltext.Statement, sides []side) []string {
	type target struct {
		table, column string // column "" for a whole object
		line          int
	}
	var targets []target
	cat := schema.New()
	var notes []string
	for i, s := range stmts {
		if sides[i] == now {
			names := namesIn(s.Node)
			for _, t := range targets {
				if names[t.table] && (t.column == "" || names[t.column]) {
					sides[i] = later
					what := t.table
					if t.column != "" {
						what += "." + t.column
					}
					notes = append(notes, fmt.Sprintf("line %d moves with line %d: it uses %s, which line %d renames, drops or changes; they must stay together", s.Pos.Line, t.line, what, t.line))
					break
				}
			}
		}
		if sides[i] == later {
			for _, name := range linkTargets(cat, s.Node) {
				table, column, _ := strings.Cut(name, "#")
				if k := strings.LastIndexByte(table, '.'); k >= 0 {
					table = table[k+1:]
				}
				targets = append(targets, target{table: table, column: column, line: s.Pos.Line})
			}
		}
	}
	return notes
}

// linkTargets names what a deferred statement renames, drops, creates or
// changes: "table#column" or an object's name. Unlike the down-section
// matching, a table-wide ALTER TABLE (a constraint) does not claim the
// whole table, only the constraint's name.
func linkTargets(cat *schema.Catalog, n *pg.Node) []string {
	a := n.GetAlterTableStmt()
	if a == nil {
		return targetsOfNode(cat, n)
	}
	var out []string
	t := cat.Resolve(a.Relation).String()
	for _, c := range a.Cmds {
		cmd := c.GetAlterTableCmd()
		switch {
		case cmd == nil:
		case cmd.Def.GetColumnDef() != nil && cmd.Def.GetColumnDef().Colname != "":
			out = append(out, t+"#"+cmd.Def.GetColumnDef().Colname)
		case cmd.Def.GetConstraint() != nil:
			if name := cmd.Def.GetConstraint().Conname; name != "" {
				out = append(out, name)
			}
		case cmd.Name != "" && (cmd.Subtype == pg.AlterTableType_AT_DropConstraint || cmd.Subtype == pg.AlterTableType_AT_ValidateConstraint):
			out = append(out, cmd.Name)
		case cmd.Name != "":
			out = append(out, t+"#"+cmd.Name)
		default:
			out = append(out, t)
		}
	}
	return out
}

// namesIn collects every string of a statement's parse tree: identifiers
// and constants alike.
func namesIn(n *pg.Node) map[string]bool {
	out := map[string]bool{}
	pg.Strings(n, func(s string) { out[s] = true })
	return out
}
