// Package change finds what a change (base revision to head revision)
// does to the migrations, and runs the static check on it: it replays the
// migrations of the base revision into a schema catalog, then feeds the
// added and edited migrations of the head, in apply order, to the checker.
//
// It is the I/O side of the static check (git, files); checker stays pure.
package lint

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
	"github.com/phasegate/phasegate/internal/sqltext"
)

// Options say what to compare and how to judge it.
type Options struct {
	Repo *git.Repo
	// Base is the revision the change is compared with; its merge base with
	// the head is used.
	Base string
	// Head is the revision under review; empty means the work tree.
	Head string
	// Dir and Format locate the migrations; empty means detect.
	Dir, Format string
	// DeferredDir holds deferred contract migrations; empty means the
	// format's default (package deferred).
	DeferredDir string
	Checker     checker.Options
	// Render says how to run the ORM of a rendered format (Alembic).
	Render RenderOptions
	// Source configures the format (pop's template options).
	Source source.Settings
	// Before, if set, is called before each statement of a new or edited
	// active migration is judged, with the catalog as the history and the
	// statements before it left it (see checker.Input.Before).
	Before func(path string, i int, cat *schema.Catalog)
}

// Result is the static verdict on a change.
type Result struct {
	BaseCommit  string
	HeadCommit  string // empty for the work tree
	Dir         string
	Format      string
	DeferredDir string
	// Files are the judged files in apply order, then removed migrations.
	Files []checker.FileResult
	// Errors are files that could not be read or parsed.
	Errors []FileError
	// Gaps are statements of the base history whose effect on the schema
	// could not be replayed.
	Gaps []schema.Gap
	// Migrations is the head's migration list; Changed marks the new and
	// edited ones.
	Migrations []source.Migration
	Changed    map[string]git.Status
	// Catalog is the schema after the change.
	Catalog *schema.Catalog
	// HeadRendering and BaseRendering are the migrations of the head and
	// of the base as the ORM rendered them, for a format whose migrations
	// are code (nil otherwise): the runtime check applies them.
	HeadRendering, BaseRendering *Rendering
}

// FileError is a file phasegate could not read, at a position when known.
type FileError struct {
	Path string
	Pos  sqltext.Position
	Msg  string
}

func (e FileError) Error() string {
	if e.Pos.Line == 0 {
		return e.Path + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Pos.Line, e.Pos.Column, e.Msg)
}

// Check runs the static check of a change.
func Check(ctx context.Context, opts Options) (*Result, error) {
	r := opts.Repo
	headRev := opts.Head
	if headRev == "" {
		headRev = "HEAD"
	}
	headCommit, err := r.Resolve(ctx, headRev)
	if err != nil {
		return nil, err
	}
	baseTip, err := r.Resolve(ctx, opts.Base)
	if err != nil {
		return nil, fmt.Errorf("base: %w", err)
	}
	base, err := r.MergeBase(ctx, baseTip, headCommit)
	if err != nil {
		return nil, err
	}
	res := &Result{BaseCommit: base, Changed: map[string]git.Status{}}
	var headFS fs.FS
	var files []string
	if opts.Head == "" {
		headFS = os.DirFS(r.Root)
		if files, err = r.WorkTreeFiles(ctx); err != nil {
			return nil, err
		}
	} else {
		t, err := r.FS(ctx, headCommit)
		if err != nil {
			return nil, err
		}
		defer t.Close()
		headFS = t
		res.HeadCommit = headCommit
		for p := range t.Files() {
			files = append(files, p)
		}
	}
	format, dir, err := locate(headFS, files, opts.Dir, opts.Format)
	if err != nil {
		return nil, err
	}
	format = opts.Source.Apply(format)
	res.Dir, res.Format = dir, format.Name()
	headList, err := format.List(headFS, dir)
	if err != nil {
		return nil, fmt.Errorf("list migrations at head: %w", err)
	}
	res.Migrations = headList
	if _, ok := format.(source.Atlas); ok {
		if err := source.CheckAtlasSum(headFS, dir); err != nil {
			res.Errors = append(res.Errors, fileError(path.Join(dir, source.AtlasSumFile), err))
		}
	}

	baseTree, err := r.FS(ctx, base)
	if err != nil {
		return nil, err
	}
	defer baseTree.Close()
	var baseFS fs.FS = baseTree
	baseList, err := format.List(baseFS, dir)
	if err != nil {
		return nil, fmt.Errorf("list migrations at base %s: %w", base[:12], err)
	}
	res.DeferredDir = opts.DeferredDir
	if res.DeferredDir == "" {
		res.DeferredDir = deferred.Dir(format.Name(), dir)
	}
	// The deferred migrations, listed as written: a rendering serves an
	// ORM's migration files as their SQL, which no longer says what they
	// are (an Alembic revision's revision and down_revision).
	deferredFormat := deferred.Format(format)
	deferredHeads, deferredErr := deferredFormat.List(headFS, res.DeferredDir)
	deferredBases, _ := deferredFormat.List(baseFS, res.DeferredDir)
	// An ORM's migrations are judged by the SQL the ORM renders for them.
	var headR *Rendering
	if _, ok := format.(source.Rendered); ok {
		headRev := ""
		if opts.Head != "" {
			headRev = headCommit
		}
		if headR, err = renderAt(ctx, r, headRev, headFS, format, dir, res.DeferredDir, opts.Render); err != nil {
			return nil, err
		}
		headFS = headR.FS
		res.Errors = append(res.Errors, headR.failures...)
		baseR, err := renderAt(ctx, r, base, baseFS, format, dir, res.DeferredDir, opts.Render)
		if err == nil && len(baseR.failures) > 0 {
			err = baseR.failures[0]
		}
		if err != nil {
			return nil, fmt.Errorf("at the base %s: %w", base[:12], err)
		}
		baseFS = baseR.FS
		res.HeadRendering, res.BaseRendering = headR, baseR
	}
	changes, err := r.Changes(ctx, base, opts.Head)
	if err != nil {
		return nil, err
	}
	for _, c := range changes {
		res.Changed[c.Path] = c.Status
	}

	// Replay the base history.
	var notes templateNotes
	defer notes.finish(res)
	cat := schema.New()
	var replay []job
	for _, m := range baseList {
		if m.Kind == source.Checkpoint || m.Skip != "" {
			continue // a checkpoint: production ran the migrations it stands for
		}
		replay = append(replay, job{baseFS, format, m})
	}
	ahead(replay, func(i int, p parsed) bool {
		m := replay[i].m
		if p.err != nil {
			res.Gaps = append(res.Gaps, schema.Gap{Where: m.Path, Reason: "could not be parsed at the base revision: " + p.err.Error()})
			return true
		}
		notes.add(res, m.Path, p.file)
		for _, s := range p.file.Statements {
			cat.Apply(s.Node, schema.Origin{Path: m.Path, Line: s.Pos.Line})
		}
		cat.EndSession()
		return true
	})
	res.Gaps = append(res.Gaps, cat.Gaps...)

	// Judge the new and edited migrations in apply order.
	ck := checker.New(cat, opts.Checker)
	inBase := map[string]source.Migration{}
	for _, m := range baseList {
		inBase[m.Path] = m
	}
	lastBase := -1 // index in headList of the last versioned migration that is in base
	for i, m := range headList {
		if _, ok := inBase[m.Path]; ok && m.Kind == source.Versioned {
			lastBase = i
		}
	}
	for i, m := range headList {
		_, existed := inBase[m.Path]
		status, changed := res.Changed[m.Path]
		if existed && !changed || m.Kind == source.Checkpoint {
			continue // unchanged, or a checkpoint, which production never runs
		}
		if existed && headR != nil && sameContent(baseFS, headFS, m.Path) {
			continue // an ORM migration edited without changing its SQL (a comment, downgrade())
		}
		if !existed {
			status = git.Added
		}
		res.Changed[m.Path] = status
		if m.Skip != "" {
			continue
		}
		f, script, err := load(headFS, format, m)
		if err != nil {
			res.Errors = append(res.Errors, fileError(m.Path, err))
			continue
		}
		notes.add(res, m.Path, f)
		in := checker.Input{Migration: m, Tx: script.Tx, File: f}
		if opts.Before != nil {
			path := m.Path
			in.Before = func(i int, cat *schema.Catalog) { opts.Before(path, i, cat) }
		}
		if _, ok, _ := deferred.Parse(f.Src); ok {
			in.Followup = true
		}
		history := checker.History{Migration: m}
		if existed && m.Kind == source.Versioned {
			_, lb := format.(source.Liquibase)
			// Liquibase's way: new changesets appended to a changelog run
			// on every database; the applied ones are unchanged.
			history.Edited = !lb || !appendedOnly(baseFS, headFS, m.Path)
			history.Changelog = lb
			in.Judge = changedStatements(baseFS, format, inBase[m.Path])
		}
		if !existed && m.Kind == source.Versioned && i < lastBase && outOfOrderMatters(format.Name()) {
			history.OutOfOrder = &checker.OutOfOrder{Existing: headList[lastBase].Path, Effect: outOfOrderEffect(format.Name())}
		}
		if headR != nil {
			for _, u := range headR.unjudged[m.Path] {
				in.Unjudged = append(in.Unjudged, checker.Unjudged{Line: u.Line, What: u.Unjudged})
			}
		}
		fr := ck.File(in)
		if headR != nil {
			headR.lines[m.Path].remap(&fr)
		}
		fr.Findings = append(ck.History(history), fr.Findings...)
		res.Files = append(res.Files, fr)
	}
	// Deferred contract migrations the change adds: judged last, as they
	// run after the next release.
	if deferredErr == nil {
		had := map[string]bool{}
		for _, m := range deferredBases {
			had[m.Path] = true
		}
		for _, m := range deferredHeads {
			if had[m.Path] && res.Changed[m.Path] == 0 || m.Skip != "" {
				continue
			}
			f, script, err := load(headFS, deferredFormat, m)
			if err != nil {
				res.Errors = append(res.Errors, fileError(m.Path, err))
				continue
			}
			notes.add(res, m.Path, f)
			if !had[m.Path] {
				res.Changed[m.Path] = git.Added
			}
			fr := ck.File(checker.Input{Migration: m, Tx: script.Tx, File: f, Deferred: true})
			if headR != nil {
				headR.lines[m.Path].remap(&fr)
			}
			res.Files = append(res.Files, fr)
		}
	}
	// Migrations that the base has and the head lost.
	inHead := map[string]bool{}
	for _, m := range headList {
		inHead[m.Path] = true
	}
	for _, m := range baseList {
		if inHead[m.Path] || m.Skip != "" {
			continue
		}
		if fds := ck.History(checker.History{Migration: m, Removed: true}); len(fds) > 0 {
			res.Changed[m.Path] = git.Deleted
			res.Files = append(res.Files, checker.FileResult{Migration: m, Findings: fds})
		}
	}
	res.Catalog = ck.Catalog()
	return res, nil
}

// outOfOrderMatters says whether a tool mishandles a new migration that
// sorts before applied ones.
func outOfOrderMatters(format string) bool {
	switch format {
	case "golang-migrate", "goose", "flyway":
		return true
	}
	return false
}

func outOfOrderEffect(format string) string {
	switch format {
	case "golang-migrate":
		return "golang-migrate never applies it on databases past that version"
	case "goose":
		return "goose refuses to run unless allow-missing is set"
	case "flyway":
		return "Flyway refuses to run unless outOfOrder is set"
	}
	return ""
}

// Locate finds the migrations directory and format among files (the
// repository's file list), or takes them from the config.
func Locate(fsys fs.FS, files []string, dir, format string) (source.Format, string, error) {
	return locate(fsys, files, dir, format)
}

// locate finds the migrations directory and format.
func locate(fsys fs.FS, files []string, dir, format string) (source.Format, string, error) {
	if format == "auto" {
		format = ""
	}
	dir = strings.Trim(strings.TrimPrefix(dir, "./"), "/")
	if dir != "" {
		if _, err := fs.Stat(fsys, dir); err != nil {
			return nil, "", fmt.Errorf("migrations.dir %q does not exist at the head revision", dir)
		}
		if format != "" {
			f, err := source.Lookup(format)
			return f, dir, err
		}
		f, err := source.Detect(fsys, dir)
		return f, dir, err
	}
	cands := Discover(fsys, files)
	if format != "" {
		var same []Candidate
		for _, c := range cands {
			if c.Format.Name() == format {
				same = append(same, c)
			}
		}
		cands = same
	}
	c, err := Choose(cands)
	if err != nil {
		return nil, "", err
	}
	return c.Format, c.Dir, nil
}

// load reads and parses one migration.
func load(fsys fs.FS, format source.Format, m source.Migration) (*sqltext.File, source.Script, error) {
	return source.Read(fsys, format, m)
}

func fileError(path string, err error) FileError {
	var se *sqltext.Error
	if errors.As(err, &se) {
		return FileError{Path: path, Pos: se.Pos, Msg: se.Message}
	}
	return FileError{Path: path, Msg: err.Error()}
}

// changedStatements returns a Judge that accepts the statements of an
// edited migration that the base version of the file does not have.
func changedStatements(baseFS fs.FS, format source.Format, old source.Migration) func(*sqltext.Statement) bool {
	seen := map[string]int{}
	if f, _, err := load(baseFS, format, old); err == nil {
		for _, s := range f.Statements {
			seen[normalize(s.Text)]++
		}
	}
	return func(s *sqltext.Statement) bool {
		k := normalize(s.Text)
		if seen[k] > 0 {
			seen[k]--
			return false
		}
		return true
	}
}

// normalize collapses whitespace so re-indenting a statement is no change.
func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// sameContent reports a file that reads the same in both trees.
func sameContent(a, b fs.FS, p string) bool {
	x, errA := fs.ReadFile(a, p)
	y, errB := fs.ReadFile(b, p)
	return errA == nil && errB == nil && bytes.Equal(x, y)
}

// appendedOnly reports a file whose head version only adds text after the
// base version's.
func appendedOnly(base, head fs.FS, p string) bool {
	b, errB := fs.ReadFile(base, p)
	h, errH := fs.ReadFile(head, p)
	return errB == nil && errH == nil && bytes.HasPrefix(h, bytes.TrimRight(b, " \t\r\n"))
}
