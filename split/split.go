// Package split does the "brain surgery" of expand/contract for the user:
// it splits a migration that mixes phases into its expand part, which
// stays in the same file, and a new deferred migration holding the
// contract part, with the header the follow-up bot reads.
//
// Each statement moves with its comments and directives; order is kept;
// the format's up/down sections and annotations are respected, and the
// down statements that revert the contract part go with it. An expand
// statement that uses what a deferred one renames, drops or creates (the
// view that keeps a renamed table's old name alive, a comment on a renamed
// column) moves with it, as does everything in the same goose
// StatementBegin/End block; files that configure the migration (Diesel's
// metadata.toml, Flyway's .conf) are copied beside the deferred one.
// Splitting a file that has no contract statement left changes nothing.
package split

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing/fstest"

	pg "github.com/pganalyze/pg_query_go/v5"
	"google.golang.org/protobuf/reflect/protoreflect"

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
	// PruneDir removes the file's directory too when the removal leaves it
	// empty (one directory per migration: Diesel, Prisma).
	PruneDir bool
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
	if len(script.Regions) > 1 {
		return nil, fmt.Errorf("%s has %d separate forward sections (several Up sections or changesets): split it by hand, or make it one section first", m.Path, len(script.Regions))
	}
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
	plan.Notes = append(plan.Notes, keepBlocks(file.Statements, side, script.Blocks)...)
	plan.Notes = append(plan.Notes, linkGroups(file.Statements, side)...)

	chunks := chunksOf(string(src), file.Statements, up, script.Blocks)
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
	tail := string(src[chunkEndOf(string(src), file.Statements, up, script.Blocks):up.End])
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
					plan.Changes = append(plan.Changes, FileChange{Path: downs.path, Old: downs.text, Delete: true, PruneDir: perDirectory(opts.Format)})
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
	// Files that configure the migration from beside it (Diesel's
	// metadata.toml, Flyway's .conf) go with the deferred copy, and leave
	// with the file when it moves whole.
	for _, cf := range configFiles(opts.Format, m.Path) {
		b, err := fs.ReadFile(fsys, cf.path)
		if err != nil {
			continue
		}
		plan.Changes = append(plan.Changes, FileChange{Path: cf.deferredPath(deferredPath), New: string(b)})
		if expandReal == 0 {
			plan.Changes = append(plan.Changes, FileChange{Path: cf.path, Old: string(b), Delete: true, PruneDir: perDirectory(opts.Format)})
		}
	}
	if expandReal == 0 {
		plan.Changes = append(plan.Changes, FileChange{Path: m.Path, Old: string(src), Delete: true, PruneDir: perDirectory(opts.Format)})
		plan.Notes = append(plan.Notes, fmt.Sprintf("every statement of %s is deferred: the file moves whole", m.Path))
	} else {
		newSrc := string(src[:up.Start]) + expandText.String() + string(src[up.End:])
		if downs != nil && !downs.separate && downs.file != nil && laterDown != "" {
			// Rebuild the down section of an inline format.
			newSrc = string(src[:up.Start]) + expandText.String() + string(src[up.End:downs.region.Start]) + downs.inlineKeep
		}
		plan.Changes = append(plan.Changes, FileChange{Path: m.Path, Old: string(src), New: newSrc})
	}
	laterSrc := wrap(opts.Format, h, body, laterDown, script.Tx, string(src))
	plan.Changes = append(plan.Changes, FileChange{Path: deferredPath, New: laterSrc})
	if downs != nil && downs.separate && laterDown != "" {
		plan.Changes = append(plan.Changes, FileChange{Path: downPathOf(deferredPath), New: laterDown})
	}
	if _, ok := opts.Format.(source.Atlas); ok {
		if err := atlasSum(fsys, path.Dir(m.Path), plan); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(plan.Changes, func(i, j int) bool { return plan.Changes[i].Path < plan.Changes[j].Path })
	return plan, nil
}

// atlasSum adds the new atlas.sum of dir to an Atlas plan: Atlas refuses a
// directory whose files do not match it.
func atlasSum(fsys fs.FS, dir string, plan *Plan) error {
	after := fstest.MapFS{}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		after[path.Join(dir, e.Name())] = &fstest.MapFile{Data: b}
	}
	for _, c := range plan.Changes {
		if path.Dir(c.Path) != dir {
			continue
		}
		if c.Delete {
			delete(after, c.Path)
		} else {
			after[c.Path] = &fstest.MapFile{Data: []byte(c.New)}
		}
	}
	sum, err := source.AtlasSum(after, dir)
	if err != nil {
		return err
	}
	p := path.Join(dir, source.AtlasSumFile)
	old, _ := fs.ReadFile(fsys, p)
	if string(old) != string(sum) {
		plan.Changes = append(plan.Changes, FileChange{Path: p, Old: string(old), New: string(sum)})
	}
	return nil
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
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.Kind() == protoreflect.StringKind && !fd.IsList():
				out[v.String()] = true
			case fd.Kind() == protoreflect.MessageKind && fd.IsList():
				for i := 0; i < v.List().Len(); i++ {
					walk(v.List().Get(i).Message())
				}
			case fd.Kind() == protoreflect.MessageKind && !fd.IsMap():
				walk(v.Message())
			}
			return true
		})
	}
	walk(n.ProtoReflect())
	return out
}

// perDirectory reports formats that keep each migration in a directory of
// its own: a directory a split empties is removed, or the tool would take
// it for a migration.
func perDirectory(f source.Format) bool {
	switch f.(type) {
	case source.Prisma, source.Diesel:
		return true
	}
	return false
}

// configFile is a file beside a migration that configures how it runs.
type configFile struct {
	path string
	// deferredPath names the copy beside the deferred migration.
	deferredPath func(deferredMigration string) string
}

func configFiles(f source.Format, migration string) []configFile {
	switch f.(type) {
	case source.Diesel:
		return []configFile{{path.Join(path.Dir(migration), "metadata.toml"), func(d string) string { return path.Join(path.Dir(d), "metadata.toml") }}}
	case source.Flyway:
		return []configFile{{migration + ".conf", func(d string) string { return d + ".conf" }}}
	}
	return nil
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
func wrap(f source.Format, h deferred.Header, up, down string, tx source.TxMode, src string) string {
	var b strings.Builder
	if _, ok := f.(source.Liquibase); ok {
		b.WriteString("--liquibase formatted sql\n")
	}
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
	case source.SQLMigrate:
		b.WriteString("-- +migrate Up")
		if tx == source.TxNone {
			b.WriteString(" notransaction")
		}
		b.WriteString("\n" + up)
		if down != "" {
			b.WriteString("\n-- +migrate Down\n" + down)
		}
	case source.Atlas:
		if tx == source.TxNone {
			// Atlas reads directives only in the opening comment block,
			// which a blank line must end.
			b.WriteString("-- atlas:txmode none\n\n")
		}
		b.WriteString(up)
	case source.Liquibase:
		author, id := source.LiquibaseChangeset([]byte(src))
		b.WriteString("--changeset " + orDefault(author, "phasegate") + ":" + orDefault(id, "deferred") + "-contract")
		if tx == source.TxNone {
			b.WriteString(" runInTransaction:false")
		}
		b.WriteString("\n" + up)
	case source.Dbmate:
		b.WriteString("-- migrate:up")
		if tx == source.TxImplicit {
			b.WriteString(" transaction:false")
		}
		// dbmate refuses a migration without a down block, even an empty one.
		b.WriteString("\n" + up)
		b.WriteString("\n-- migrate:down\n" + down)
	default:
		b.WriteString(up)
	}
	s := b.String()
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
