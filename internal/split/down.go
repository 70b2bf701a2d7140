package split

import (
	"io/fs"
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"

	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// downs is the down part of a migration: an inline section (goose,
// dbmate) or a separate file (golang-migrate, pop, Diesel).
type downs struct {
	format     source.Format
	separate   bool
	path       string // the separate file
	text       string // its whole text
	region     sqltext.Region
	file       *sqltext.File
	blocks     []sqltext.Region // goose blocks of an inline section
	inlineKeep string
}

// downPart finds and parses the down part of migration m.
func downPart(fsys fs.FS, m source.Migration, src []byte, script source.Script, f source.Format) *downs {
	if source.HasInlineDown(f) {
		up := script.Regions[0]
		if up.End >= len(src) {
			return nil
		}
		// The down section runs from its marker line to the end.
		region := sqltext.Region{Start: up.End, End: len(src)}
		file, err := sqltext.Parse(src, sqltext.Options{Regions: []sqltext.Region{{Start: lineEnd(src, up.End), End: len(src)}}})
		if err != nil {
			return nil
		}
		return &downs{format: f, region: region, file: file, text: string(src), blocks: script.Blocks}
	}
	if d, ok := f.(source.DownFiler); ok {
		p := d.DownPath(m.Path)
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil
		}
		file, _, err := source.Parse(f, source.Migration{Path: p, Format: m.Format}, b)
		if err == nil {
			file, err = file.AsWritten() // a template is cut as written
		}
		if err != nil {
			return nil
		}
		return &downs{format: f, separate: true, path: p, text: string(b), region: sqltext.Region{End: len(b)}, file: file}
	}
	return nil
}

func lineEnd(src []byte, off int) int {
	for off < len(src) && src[off] != '\n' {
		off++
	}
	if off < len(src) {
		off++
	}
	return off
}

// keptText is the down part as it is: what splitDown returns as keep when
// it changes nothing.
func (d *downs) keptText() string {
	if d.separate {
		return d.text
	}
	return d.text[d.region.Start:d.region.End]
}

// rewriteTarget is a rewritten statement with the objects it touches.
type rewriteTarget struct {
	targets map[string]bool
	rw      *rewrite
}

// rewriteTargets lists the rewritten statements with their objects.
func rewriteTargets(stmts []*sqltext.Statement, sides []side, rewrites map[int]*rewrite) []rewriteTarget {
	var out []rewriteTarget
	cat := schema.New()
	for i, s := range stmts {
		if sides[i] != rewritten {
			continue
		}
		t := map[string]bool{}
		for _, x := range targetsOfNode(cat, s.Node) {
			t[x] = true
		}
		out = append(out, rewriteTarget{targets: t, rw: rewrites[i]})
	}
	return out
}

// splitDown sorts the down statements: those that touch an object a
// deferred statement touches go with the deferred migration; those that
// revert a rewritten statement give way to the reverts of its expand part
// (where they stood) and of its contract part (in the deferred migration).
func splitDown(d *downs, targets map[string]bool, rewrites []rewriteTarget) (keep, move string) {
	text := d.text
	start := d.region.Start
	if !d.separate {
		start = lineEnd([]byte(text), d.region.Start)
	}
	region := sqltext.Region{Start: start, End: d.region.End}
	chunks := chunksOf(text, d.file.Statements, region, d.blocks)
	var k, mv strings.Builder
	if !d.separate {
		k.WriteString(text[d.region.Start:start]) // the down marker line
	}
	sides, by := downSides(d.file.Statements, targets, rewrites)
	keepBlocks(d.file.Statements, sides, d.blocks)
	done := map[int]bool{}
	for i := range d.file.Statements {
		switch sides[i] {
		case later:
			mv.WriteString(chunks[i])
		case rewritten:
			if done[by[i]] {
				continue
			}
			done[by[i]] = true
			r := rewrites[by[i]-1].rw
			if r.moveOriginal {
				mv.WriteString(chunks[i]) // it reverts the statement that moved
			}
			for _, st := range r.expandDown {
				k.WriteString(statementText(d.format, st))
			}
			for _, st := range r.contractDown {
				mv.WriteString(statementText(d.format, st))
			}
		default:
			k.WriteString(chunks[i])
		}
	}
	k.WriteString(text[chunkEndOf(text, d.file.Statements, region, d.blocks):d.region.End])
	return k.String(), strings.TrimLeft(mv.String(), "\n")
}

// downSides sorts down statements: rewritten when they revert a rewritten
// statement (by holds the index of its rewrite in rewrites, +1), later
// when they touch what a deferred statement touches, now otherwise.
func downSides(stmts []*sqltext.Statement, targets map[string]bool, rewrites []rewriteTarget) (sides []side, by []int) {
	cat := schema.New()
	sides = make([]side, len(stmts))
	by = make([]int, len(stmts))
	for i, s := range stmts {
		ts := targetsOfNode(cat, s.Node)
		for j, r := range rewrites {
			if touches(ts, r.targets) {
				sides[i], by[i] = rewritten, j+1
				break
			}
		}
		if sides[i] != rewritten && touches(ts, targets) {
			sides[i] = later
		}
	}
	return sides, by
}

// targetsOf collects the objects the deferred statements touch.
func targetsOf(stmts []*sqltext.Statement, sides []side) map[string]bool {
	out := map[string]bool{}
	cat := schema.New()
	for i, s := range stmts {
		if sides[i] == later {
			for _, t := range targetsOfNode(cat, s.Node) {
				out[t] = true
			}
		}
	}
	return out
}

// touches reports whether a down statement's targets meet the deferred
// ones: the same column, or the same table when either is table-wide.
func touches(down []string, targets map[string]bool) bool {
	for _, t := range down {
		if targets[t] {
			return true
		}
		if i := strings.LastIndexByte(t, '#'); i >= 0 && targets[t[:i]] {
			return true
		}
		if !strings.Contains(t, "#") {
			for x := range targets {
				if strings.HasPrefix(x, t+"#") {
					return true
				}
			}
		}
	}
	return false
}

// targetsOfNode names what a statement changes: "table" or
// "table#column".
func targetsOfNode(cat *schema.Catalog, n *pg.Node) []string {
	var out []string
	switch s := n.GetNode().(type) {
	case *pg.Node_AlterTableStmt:
		t := cat.Resolve(s.AlterTableStmt.Relation).String()
		for _, c := range s.AlterTableStmt.Cmds {
			cmd := c.GetAlterTableCmd()
			if cmd == nil {
				continue
			}
			switch {
			case cmd.Def.GetColumnDef() != nil && cmd.Def.GetColumnDef().Colname != "":
				out = append(out, t+"#"+cmd.Def.GetColumnDef().Colname)
			case cmd.Def.GetConstraint().GetConname() != "":
				// A named constraint: what reverts it names it (DROP CONSTRAINT).
				out = append(out, t+"#"+cmd.Def.GetConstraint().GetConname())
			case cmd.Name != "":
				out = append(out, t+"#"+cmd.Name)
			default:
				out = append(out, t)
			}
		}
	case *pg.Node_RenameStmt:
		if s.RenameStmt.Relation != nil {
			t := cat.Resolve(s.RenameStmt.Relation).String()
			if s.RenameStmt.RenameType == pg.ObjectType_OBJECT_COLUMN {
				out = append(out, t+"#"+s.RenameStmt.Subname, t+"#"+s.RenameStmt.Newname)
			} else {
				out = append(out, t, s.RenameStmt.Newname)
			}
		}
	case *pg.Node_DropStmt:
		for _, o := range s.DropStmt.Objects {
			out = append(out, cat.ResolveNames(schema.ObjectNames(o)).String())
		}
	case *pg.Node_CreateStmt:
		out = append(out, cat.Resolve(s.CreateStmt.Relation).String())
	case *pg.Node_ViewStmt:
		out = append(out, cat.Resolve(s.ViewStmt.View).String())
	case *pg.Node_IndexStmt:
		if s.IndexStmt.Idxname != "" {
			out = append(out, s.IndexStmt.Idxname)
		}
	case *pg.Node_DoStmt:
		// A DO block changes what its statements change.
		if body, err := schema.ParseDo(s.DoStmt); err == nil {
			for _, inner := range body.Stmts {
				out = append(out, targetsOfNode(cat, inner.Node)...)
			}
		}
	}
	return out
}
