// Package split does the "brain surgery" of expand/contract for the user:
// it splits a migration that mixes phases into its expand part, which
// stays in the same file, and a new deferred migration holding the
// contract part, with the header the follow-up bot reads.
//
// Each statement moves with its comments and directives; order is kept;
// the format's up/down sections and annotations are respected, and the
// down statements that revert the contract part go with it. Statements
// that only make sense together (a table rename and the view that keeps
// the old name alive) move together. Splitting a file that has no contract
// statement left changes nothing.
package split

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v5"

	"github.com/phasegate/phasegate/checker"
	"github.com/phasegate/phasegate/deferred"
	"github.com/phasegate/phasegate/schema"
	"github.com/phasegate/phasegate/source"
	"github.com/phasegate/phasegate/sqltext"
)

// Options describe where migrations live.
type Options struct {
	Format      source.Format
	DeferredDir string
	// After is the release condition written in the header (default
	// "release").
	After string
	// PR is the pull request that defers the statements, when known.
	PR int
}

// FileChange is one file the split writes: New is its new content, ""
// to delete it; Old is "" for a new file.
type FileChange struct {
	Path     string
	Old, New string
	Delete   bool
}

// Plan is what splitting one migration does.
type Plan struct {
	Source  string
	Changes []FileChange
	// Moved counts the statements that move to the deferred migration.
	Moved int
	Notes []string
}

// ErrNothing means the migration has no contract statement: nothing to
// split (re-running split is a no-op).
var ErrNothing = errors.New("no contract or unknown statement to defer")

// Split plans the split of migration m (its verdict fr) read from fsys.
func Split(fsys fs.FS, m source.Migration, fr checker.FileResult, opts Options) (*Plan, error) {
	src, err := fs.ReadFile(fsys, m.Path)
	if err != nil {
		return nil, err
	}
	script, err := opts.Format.Script(m, src)
	if err != nil {
		return nil, fmt.Errorf("%s:%w", m.Path, err)
	}
	file, err := sqltext.Parse(src, sqltext.Options{Regions: script.Regions})
	if err != nil {
		return nil, fmt.Errorf("%s:%w", m.Path, err)
	}
	if len(file.Statements) != len(fr.Statements) {
		return nil, fmt.Errorf("%s changed since it was checked; run split again", m.Path)
	}
	up := sqltext.Region{Start: 0, End: len(src)}
	if script.Regions != nil {
		up = script.Regions[0]
	}
	plan := &Plan{Source: m.Path}

	// Which side each statement goes to.
	side := make([]side, len(file.Statements))
	contract := 0
	for i, s := range file.Statements {
		switch {
		case isSession(s.Node):
			side[i] = both
		case fr.Statements[i].Phase != checker.Expand:
			side[i] = later
			contract++
		default:
			side[i] = now
		}
	}
	if contract == 0 {
		return nil, ErrNothing
	}
	plan.Notes = append(plan.Notes, linkGroups(file.Statements, side)...)

	chunks := chunksOf(string(src), file.Statements, up)
	var expandText, laterText strings.Builder
	expandReal := 0
	for i, ch := range chunks {
		switch side[i] {
		case now:
			expandText.WriteString(ch)
			expandReal++
		case later:
			laterText.WriteString(ch)
			plan.Moved++
		case both:
			expandText.WriteString(ch)
			laterText.WriteString(ch)
		}
	}
	tail := string(src[chunkEndOf(string(src), file.Statements, up):up.End])
	expandText.WriteString(tail)

	deferredPath := deferredPathOf(opts, m)
	if _, err := fs.Stat(fsys, deferredPath); err == nil {
		return nil, fmt.Errorf("%s already exists: split %s by hand, or remove it first", deferredPath, m.Path)
	}
	h := deferred.Header{After: opts.After, From: m.Path, PR: opts.PR}
	body := strings.TrimLeft(laterText.String(), "\n")

	// The down part that reverts the moved statements goes with them.
	var laterDown string
	downs := downPart(fsys, m, src, script, opts.Format)
	if downs != nil && downs.file != nil {
		keep, move := splitDown(downs, targetsOf(file.Statements, side))
		laterDown = move
		if move != "" {
			if downs.separate {
				if keep == "" && expandReal == 0 {
					plan.Changes = append(plan.Changes, FileChange{Path: downs.path, Old: downs.text, Delete: true})
				} else {
					plan.Changes = append(plan.Changes, FileChange{Path: downs.path, Old: downs.text, New: keep})
				}
			}
		}
		if !downs.separate {
			downs.inlineKeep = keep
		}
	}

	// The expand part stays in the file, unless nothing real is left.
	if expandReal == 0 {
		plan.Changes = append(plan.Changes, FileChange{Path: m.Path, Old: string(src), Delete: true})
		plan.Notes = append(plan.Notes, fmt.Sprintf("every statement of %s is deferred: the file moves whole", m.Path))
	} else {
		newSrc := string(src[:up.Start]) + expandText.String() + string(src[up.End:])
		if downs != nil && !downs.separate && downs.file != nil && laterDown != "" {
			// Rebuild the down section of an inline format.
			newSrc = string(src[:up.Start]) + expandText.String() + string(src[up.End:downs.region.Start]) + downs.inlineKeep
		}
		plan.Changes = append(plan.Changes, FileChange{Path: m.Path, Old: string(src), New: newSrc})
	}
	laterSrc := wrap(opts.Format, h, body, laterDown, script.Tx)
	plan.Changes = append(plan.Changes, FileChange{Path: deferredPath, New: laterSrc})
	if downs != nil && downs.separate && laterDown != "" {
		plan.Changes = append(plan.Changes, FileChange{Path: downPathOf(deferredPath), New: laterDown})
	}
	sort.SliceStable(plan.Changes, func(i, j int) bool { return plan.Changes[i].Path < plan.Changes[j].Path })
	return plan, nil
}

type side int

const (
	now   side = iota // expand: stays
	later             // contract or unknown: deferred
	both              // session settings and transaction control: in both files
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
// its line (a trailing comment).
func chunksOf(src string, stmts []*sqltext.Statement, up sqltext.Region) []string {
	out := make([]string, len(stmts))
	start := up.Start
	for i, s := range stmts {
		end := afterStatement(src, s.End, up.End)
		out[i] = src[start:end]
		start = end
	}
	return out
}

func chunkEndOf(src string, stmts []*sqltext.Statement, up sqltext.Region) int {
	if len(stmts) == 0 {
		return up.Start
	}
	return afterStatement(src, stmts[len(stmts)-1].End, up.End)
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

// linkGroups moves expand statements that exist for a deferred one: a view
// or table created under the name a deferred statement renames away or
// drops (the bridge that keeps the old name working).
func linkGroups(stmts []*sqltext.Statement, sides []side) []string {
	freed := map[string]int{} // name -> index of the deferred statement
	cat := schema.New()
	var notes []string
	for i, s := range stmts {
		if sides[i] == later {
			for _, n := range freedNames(cat, s.Node) {
				freed[n] = i
			}
		}
		if sides[i] == now {
			if name := createdName(cat, s.Node); name != "" {
				if j, ok := freed[name]; ok {
					sides[i] = later
					notes = append(notes, fmt.Sprintf("line %d moves with line %d: it creates %s, which line %d renames or drops; they must stay together", s.Pos.Line, stmts[j].Pos.Line, name, stmts[j].Pos.Line))
				}
			}
		}
	}
	return notes
}

func freedNames(cat *schema.Catalog, n *pg.Node) []string {
	switch s := n.GetNode().(type) {
	case *pg.Node_RenameStmt:
		if s.RenameStmt.Relation != nil && (s.RenameStmt.RenameType == pg.ObjectType_OBJECT_TABLE || s.RenameStmt.RenameType == pg.ObjectType_OBJECT_VIEW) {
			return []string{cat.Resolve(s.RenameStmt.Relation).String()}
		}
	case *pg.Node_DropStmt:
		var out []string
		for _, o := range s.DropStmt.Objects {
			out = append(out, cat.ResolveNames(schema.ObjectNames(o)).String())
		}
		return out
	}
	return nil
}

func createdName(cat *schema.Catalog, n *pg.Node) string {
	switch s := n.GetNode().(type) {
	case *pg.Node_ViewStmt:
		return cat.Resolve(s.ViewStmt.View).String()
	case *pg.Node_CreateStmt:
		return cat.Resolve(s.CreateStmt.Relation).String()
	}
	return ""
}

// deferredPathOf names the deferred migration: the original's name with
// "_contract", in the deferred directory, in the format's naming scheme
// (the follow-up bot gives it its final version).
func deferredPathOf(opts Options, m source.Migration) string {
	dir := opts.DeferredDir
	base := path.Base(m.Path)
	switch opts.Format.(type) {
	case source.Prisma, source.Diesel:
		// One directory per migration.
		parent := path.Base(path.Dir(m.Path))
		return path.Join(dir, parent+"_contract", base)
	case source.GolangMigrate, source.Pop:
		i := strings.Index(base, ".")
		return path.Join(dir, base[:i]+"_contract"+base[i:])
	}
	ext := path.Ext(base)
	return path.Join(dir, strings.TrimSuffix(base, ext)+"_contract"+ext)
}

// downPathOf is a golang-migrate or pop up file's down companion.
func downPathOf(upPath string) string {
	if strings.HasSuffix(upPath, "/up.sql") {
		return strings.TrimSuffix(upPath, "up.sql") + "down.sql"
	}
	return strings.Replace(upPath, ".up.", ".down.", 1)
}

// wrap builds the deferred migration in the format's layout.
func wrap(f source.Format, h deferred.Header, up, down string, tx source.TxMode) string {
	var b strings.Builder
	b.WriteString(h.String())
	switch f.(type) {
	case source.Goose:
		b.WriteString("-- +goose Up\n")
		if tx == source.TxNone {
			b.WriteString("-- +goose NO TRANSACTION\n")
		}
		b.WriteString(up)
		if down != "" {
			b.WriteString("\n-- +goose Down\n" + down)
		}
	case source.Dbmate:
		b.WriteString("-- migrate:up")
		if tx == source.TxImplicit {
			b.WriteString(" transaction:false")
		}
		b.WriteString("\n" + up)
		if down != "" {
			b.WriteString("\n-- migrate:down\n" + down)
		}
	default:
		b.WriteString(up)
	}
	s := b.String()
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}
