package lint

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/dirfs"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/schema"
	"github.com/phasegate/phasegate/internal/source"
)

// Check runs the static check of a change, in three stages:
//
//   - detect: the revisions (the merge base of the base and the head),
//     the migration format and directory, the migrations on both sides,
//     the deferred ones, what git says changed, and for an ORM the SQL it
//     renders;
//   - load: the base history replayed into a catalog, the schema
//     production has;
//   - judge: the new and edited migrations in apply order, then the
//     deferred ones the change adds, then the migrations it removes.
func Check(ctx context.Context, opts Options) (res *Result, err error) {
	c, err := detect(ctx, opts)
	if c != nil {
		defer func() { err = errors.Join(err, c.close()) }()
	}
	if err != nil {
		return nil, err
	}
	var notes templateNotes
	defer notes.finish(c.res)
	ck := checker.New(c.replayBase(&notes), opts.Checker)
	c.judgeChanged(ck, &notes)
	c.judgeDeferred(ck, &notes)
	c.judgeRemoved(ck)
	c.res.Catalog = ck.Catalog()
	return c.res, nil
}

// change is what detect finds, which the later stages read.
type change struct {
	opts   Options
	res    *Result
	format source.Format
	// headFS and baseFS are the files of the head (the work tree when
	// opts.Head is "") and of the merge base; for an ORM, their renderings.
	headFS, baseFS fs.FS
	// headFiles are the head's files as written, also for an ORM (a
	// deferred migration's header is read there, at its own lines).
	headFiles          fs.FS
	headList, baseList []source.Migration
	// The deferred migrations of both sides, listed as written (a
	// rendering serves an ORM's files as their SQL, which no longer says
	// what they are).
	deferredFormat               source.Format
	deferredHeads, deferredBases []source.Migration
	deferredErr                  error
	headR                        *Rendering // nil unless the format is rendered
	closers                      []func() error
}

func (c *change) close() error {
	var errs []error
	for i := len(c.closers) - 1; i >= 0; i-- {
		errs = append(errs, c.closers[i]())
	}
	return errors.Join(errs...)
}

// HeadRev is the revision Check compares with the base for head
// (Options.Head): HEAD, the work tree's commit, when head is empty.
// git.OpenChange asks ahead for what Check will ask under this name.
func HeadRev(head string) string {
	if head == "" {
		return "HEAD"
	}
	return head
}

// detect resolves the revisions and finds the migrations of both sides.
func detect(ctx context.Context, opts Options) (c *change, err error) {
	r := opts.Repo
	headRev := HeadRev(opts.Head)
	// Each git command costs a process (5 to 10 ms here): those that do
	// not wait for another's answer run side by side, and those whose
	// answer is not needed do not run.
	// The merge base is asked for by name first (git.OpenChange may have
	// asked already). When it answers, both names read as NAME^{commit},
	// a commit, which is all the work tree needs; --head also needs the
	// head's commit, resolved beside it. When it fails (the base exists
	// only as origin/NAME, or the histories share nothing), Resolve and
	// MergeBase find the base or say why.
	var headCommit, baseTip, base string
	var headErr, baseErr, guessErr error
	var resolved sync.WaitGroup
	if opts.Head != "" {
		resolved.Go(func() { headCommit, headErr = r.Resolve(ctx, headRev) })
	}
	base, guessErr = r.MergeBaseOfNames(ctx, opts.Base, headRev)
	if guessErr != nil {
		if opts.Head == "" {
			resolved.Go(func() { headCommit, headErr = r.Resolve(ctx, headRev) })
		}
		resolved.Go(func() { baseTip, baseErr = r.Resolve(ctx, opts.Base) })
	}
	resolved.Wait()
	if headErr != nil {
		return nil, headErr
	}
	if baseErr != nil {
		return nil, fmt.Errorf("base: %w", baseErr)
	}
	if guessErr != nil {
		if base, err = r.MergeBase(ctx, baseTip, headCommit); err != nil {
			return nil, err
		}
	}
	c = &change{opts: opts, res: &Result{BaseCommit: base, Changed: map[string]git.Status{}}}
	// The base's tree and what changed since it are listed while the
	// head's migrations are found.
	var baseTree *git.TreeFS
	var changes []git.Change
	var baseTreeErr, changesErr error
	var behind sync.WaitGroup
	behind.Go(func() { baseTree, baseTreeErr = r.FS(ctx, base) })
	// Without a configured directory, the work tree's whole file list is
	// searched for the migrations; the change's untracked files come from
	// the same listing, not from a second walk of the work tree.
	listTree := opts.Head == "" && configuredDir(opts.Dir) == ""
	if listTree {
		behind.Go(func() { changes, changesErr = r.Diff(ctx, base, "") })
	} else {
		scope := changeScope(opts)
		behind.Go(func() { changes, changesErr = r.Changes(ctx, base, opts.Head, scope...) })
	}
	defer func() {
		behind.Wait()
		if baseTree != nil {
			c.closers = append(c.closers, baseTree.Close)
		}
	}()
	var files, untracked []string
	if opts.Head == "" {
		c.headFS = dirfs.New(r.Root)
		if listTree {
			if files, untracked, err = r.WorkTreeFiles(ctx); err != nil {
				return c, err
			}
		}
	} else {
		t, err := r.FS(ctx, headCommit)
		if err != nil {
			return c, err
		}
		c.closers = append(c.closers, t.Close)
		c.headFS = t
		c.res.HeadCommit = headCommit
		for p := range t.Files() {
			files = append(files, p)
		}
	}
	c.headFiles = c.headFS
	if err := c.locate(files); err != nil {
		return c, err
	}
	behind.Wait()
	if baseTreeErr != nil {
		return c, baseTreeErr
	}
	c.baseFS = baseTree
	if c.baseList, err = c.format.List(c.baseFS, c.res.Dir); err != nil {
		return c, fmt.Errorf("list migrations at base %s: %w", base[:12], err)
	}
	c.res.DeferredDir = configuredDir(opts.DeferredDir)
	if c.res.DeferredDir == "" {
		c.res.DeferredDir = deferred.Dir(c.format.Name(), c.res.Dir)
	}
	c.deferredFormat = deferred.Format(c.format)
	c.deferredHeads, c.deferredErr = c.deferredFormat.List(c.headFS, c.res.DeferredDir)
	c.deferredBases, _ = c.deferredFormat.List(c.baseFS, c.res.DeferredDir)
	if _, ok := c.format.(source.Rendered); ok {
		if err := c.render(ctx, headCommit); err != nil {
			return c, err
		}
	}
	if changesErr != nil {
		return c, changesErr
	}
	changes = append(changes, git.AddedFiles(untracked)...)
	for _, ch := range changes {
		c.res.Changed[ch.Path] = ch.Status
	}
	return c, nil
}

// changeScope is where the change's files are looked for: the migrations
// and deferred directories when the config names the directory and the
// format (git diff and the untracked files of a large work tree cost more
// than the rest of the check), else the whole tree. The change's other
// files are never read: only its migrations are judged. An ORM's
// migrations are rendered from files that may lie anywhere.
func changeScope(opts Options) []string {
	dir := configuredDir(opts.Dir)
	if dir == "" || dir == "." || opts.Format == "" || opts.Format == "auto" {
		return nil
	}
	f, err := source.Lookup(opts.Format)
	if err != nil {
		return nil // locate says so
	}
	if _, ok := f.(source.Rendered); ok {
		return nil
	}
	deferredDir := opts.DeferredDir
	if deferredDir == "" {
		deferredDir = deferred.Dir(f.Name(), dir)
	}
	if deferredDir = configuredDir(deferredDir); deferredDir == "" || deferredDir == "." {
		return nil
	}
	return []string{dir, deferredDir}
}

// locate finds the format and the migrations directory in the head's
// files (unless the directory is configured: then files is not read),
// lists the head's migrations and checks the format's checksum file. A
// head without migrations is an error when the directory holds files of
// another format (the config names the wrong one).
func (c *change) locate(files []string) error {
	format, dir, err := Locate(c.headFS, files, c.opts.Dir, c.opts.Format)
	if err != nil {
		return err
	}
	c.format = c.opts.Source.Apply(format)
	c.res.Dir, c.res.Format = dir, c.format.Name()
	if c.headList, err = c.format.List(c.headFS, dir); err != nil {
		return fmt.Errorf("list migrations at head: %w", err)
	}
	if len(c.headList) == 0 {
		// Nothing to check is a pass: it must not be a wrong format.
		if err := source.NoMigrations(c.headFS, dir, c.format); err != nil {
			return err
		}
	}
	c.res.Migrations = c.headList
	if cs, ok := c.format.(source.Checksummed); ok {
		if err := cs.CheckSum(c.headFS, dir); err != nil {
			c.res.Errors = append(c.res.Errors, fileError(cs.ChecksumFile(dir), err))
		}
	}
	return nil
}

// render replaces both sides' files by the SQL the ORM renders for them:
// an ORM's migrations are judged by it.
func (c *change) render(ctx context.Context, headCommit string) error {
	r, base := c.opts.Repo, c.res.BaseCommit
	headRev := ""
	if c.opts.Head != "" {
		headRev = headCommit
	}
	headR, err := renderAt(ctx, r, headRev, c.headFS, c.format, c.res.Dir, c.res.DeferredDir, c.opts.Render)
	if err != nil {
		return err
	}
	c.headR, c.headFS = headR, headR.FS
	c.res.Errors = append(c.res.Errors, headR.failures...)
	baseR, err := renderAt(ctx, r, base, c.baseFS, c.format, c.res.Dir, c.res.DeferredDir, c.opts.Render)
	if err == nil && len(baseR.failures) > 0 {
		err = baseR.failures[0]
	}
	if err != nil {
		return fmt.Errorf("at the base %s: %w", base[:12], err)
	}
	c.baseFS = baseR.FS
	c.res.HeadRendering, c.res.BaseRendering = headR, baseR
	return nil
}

// replayBase replays the base history into a new catalog: the schema
// production has. Files read and parse ahead, on every core.
func (c *change) replayBase(notes *templateNotes) *schema.Catalog {
	cat := schema.New()
	var replay []job
	for _, m := range c.baseList {
		if m.Kind == source.Checkpoint || m.Skip != "" {
			continue // a checkpoint: production ran the migrations it stands for
		}
		replay = append(replay, job{fsys: c.baseFS, format: c.format, m: m})
	}
	ahead(replay, func(i int, p parsed) bool {
		m := replay[i].m
		if p.err != nil {
			c.res.Gaps = append(c.res.Gaps, schema.Gap{Where: m.Path, Reason: "could not be parsed at the base revision: " + p.err.Error()})
			return true
		}
		notes.add(c.res, m.Path, p.file)
		for _, s := range p.file.Statements {
			cat.Apply(s.Node, schema.Origin{Path: m.Path, Line: s.Pos.Line})
		}
		cat.EndSession()
		return true
	})
	c.res.Gaps = append(c.res.Gaps, cat.Gaps...)
	return cat
}

// judgeChanged judges the new and edited migrations in apply order, each
// on the catalog the ones before it left.
func (c *change) judgeChanged(ck *checker.Checker, notes *templateNotes) {
	res, headR := c.res, c.headR
	inBase := map[string]source.Migration{}
	for _, m := range c.baseList {
		inBase[m.Path] = m
	}
	lastBase := -1 // index in headList of the last versioned migration that is in base
	for i, m := range c.headList {
		if _, ok := inBase[m.Path]; ok && m.Kind == source.Versioned {
			lastBase = i
		}
	}
	for i, m := range c.headList {
		_, existed := inBase[m.Path]
		status, changed := res.Changed[m.Path]
		if existed && !changed || m.Kind == source.Checkpoint {
			continue // unchanged, or a checkpoint, which production never runs
		}
		if existed && headR != nil && sameContent(c.baseFS, c.headFS, m.Path) {
			continue // an ORM migration edited without changing its SQL (a comment, downgrade())
		}
		if !existed {
			status = git.Added
		}
		res.Changed[m.Path] = status
		if m.Skip != "" {
			continue
		}
		f, script, err := source.Read(c.headFS, c.format, m)
		if err != nil {
			res.Errors = append(res.Errors, fileError(m.Path, err))
			continue
		}
		notes.add(res, m.Path, f)
		in := checker.Input{Migration: m, Tx: script.Tx, File: f}
		if c.opts.Before != nil {
			path := m.Path
			in.Before = func(i int, cat *schema.Catalog) { c.opts.Before(path, i, cat) }
		}
		if _, ok, _ := deferred.Parse(f.Src); ok {
			in.Followup = true
		}
		history := checker.History{Migration: m}
		if existed && m.Kind == source.Versioned {
			changelog := source.IsChangelog(c.format)
			// A changelog's way (Liquibase): new changesets appended to it
			// run on every database; the applied ones are unchanged.
			history.Edited = !changelog || !appendedOnly(c.baseFS, c.headFS, m.Path)
			base, baseScript, err := source.Read(c.baseFS, c.format, inBase[m.Path])
			if err != nil {
				base = nil // every statement counts as changed
			}
			if history.Edited && !changelog && base != nil && source.RecordsVersionOnly(c.format) && sameStatements(base, baseScript, f, script) {
				// A comment or the layout: the tool never reads the file
				// again for a database that applied it, and a fresh one
				// runs the same statements.
				history.Edited = false
			}
			history.Changelog = changelog
			in.Judge = changedStatements(base)
		}
		if effect := source.OutOfOrderEffect(c.format); !existed && m.Kind == source.Versioned && i < lastBase && effect != "" {
			history.OutOfOrder = &checker.OutOfOrder{Existing: c.headList[lastBase].Path, Effect: effect}
		}
		if headR != nil {
			for _, u := range headR.unjudged[m.Path] {
				in.Unjudged = append(in.Unjudged, checker.Unjudged{Line: u.Line, What: u.Unjudged})
			}
			in.Line = headR.lines[m.Path].checkerLine()
		}
		fr := ck.File(in)
		if headR != nil {
			headR.lines[m.Path].remap(&fr)
		}
		fr.Findings = append(ck.History(history), fr.Findings...)
		res.Files = append(res.Files, fr)
	}
}

// judgeDeferred judges the deferred contract migrations the change adds or
// edits, last: they run after the next release.
func (c *change) judgeDeferred(ck *checker.Checker, notes *templateNotes) {
	if c.deferredErr != nil {
		return
	}
	res := c.res
	had := map[string]bool{}
	for _, m := range c.deferredBases {
		had[m.Path] = true
	}
	for _, m := range c.deferredHeads {
		if had[m.Path] && res.Changed[m.Path] == 0 || m.Skip != "" {
			continue
		}
		f, script, err := source.Read(c.headFS, c.deferredFormat, m)
		if err != nil {
			res.Errors = append(res.Errors, fileError(m.Path, err))
			continue
		}
		notes.add(res, m.Path, f)
		if !had[m.Path] {
			res.Changed[m.Path] = git.Added
		}
		in := checker.Input{Migration: m, Tx: script.Tx, File: f, Deferred: true}
		// The header the follow-up bot will read, as written: an error in
		// it is the check's to report, not the bot's after the merge.
		if src, err := fs.ReadFile(c.headFiles, m.Path); err != nil {
			res.Errors = append(res.Errors, fileError(m.Path, err))
		} else if _, _, err := deferred.Parse(src); err != nil {
			if !errors.As(err, &in.Header) {
				res.Errors = append(res.Errors, fileError(m.Path, err))
			}
		}
		if c.headR != nil {
			in.Line = c.headR.lines[m.Path].checkerLine()
		}
		fr := ck.File(in)
		if c.headR != nil {
			c.headR.lines[m.Path].remap(&fr)
		}
		res.Files = append(res.Files, fr)
	}
}

// judgeRemoved reports the migrations the base has and the head lost.
func (c *change) judgeRemoved(ck *checker.Checker) {
	inHead := map[string]bool{}
	for _, m := range c.headList {
		inHead[m.Path] = true
	}
	for _, m := range c.baseList {
		if inHead[m.Path] || m.Skip != "" {
			continue
		}
		if fds := ck.History(checker.History{Migration: m, Removed: true}); len(fds) > 0 {
			c.res.Changed[m.Path] = git.Deleted
			c.res.Files = append(c.res.Files, checker.FileResult{Migration: m, Findings: fds})
		}
	}
}
