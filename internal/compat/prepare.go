package compat

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/source"
)

// job is a scenario to run: its database, cloned from tmpl, the checkout
// its suite runs in, and prep, which writes the version table the
// scenario's release reads.
type job struct {
	sc   *Scenario
	db   *Database
	tmpl *Database
	dir  string
	prep func(context.Context, *Database) error
	rec  *recording
}

// prepare makes everything the scenarios run on. The server starts first,
// in the background: it gets ready while the migrations are read and the
// versions are checked out.
func (c *check) prepare(ctx context.Context) error {
	server := c.startServer(ctx)
	if err := c.readMigrations(ctx); err != nil {
		return err
	}
	if err := c.checkout(ctx); err != nil {
		return err
	}
	if err := c.awaitServer(server); err != nil {
		return err
	}
	start := time.Now()
	if rendered(c.opts) {
		if err := c.render(ctx); err != nil {
			return err
		}
	}
	if err := c.buildPrevious(ctx); err != nil {
		return err
	}
	c.res.Timings.PreviousSchema = time.Since(start)
	if err := c.buildNew(ctx); err != nil {
		return err
	}
	return c.cloneScenarios(ctx)
}

// serverStart is the server being started in the background; done closes
// when the start has finished.
type serverStart struct {
	done chan struct{}
	srv  *Server
	err  error
	at   time.Duration
}

// startServer connects to the server of --database-url, or starts a
// container, in the background. The server is closed with the check's
// other cleanups, after waiting for a start that an earlier failure
// left under way.
func (c *check) startServer(ctx context.Context) *serverStart {
	s := &serverStart{done: make(chan struct{})}
	begin := time.Now()
	go func() {
		defer close(s.done)
		if c.opts.URL != "" {
			fmt.Fprintf(c.opts.Log, "phasegate: using the PostgreSQL server of --database-url\n")
			s.srv, s.err = Connect(ctx, c.opts.URL, StaticOnlyHint)
		} else {
			fmt.Fprintf(c.opts.Log, "phasegate: starting PostgreSQL (%s)\n", c.opts.Image)
			s.srv, s.err = StartContainer(ctx, ContainerOptions{Image: c.opts.Image, Pull: c.opts.Pull, Labels: c.opts.Labels, Hint: StaticOnlyHint})
		}
		s.at = time.Since(begin)
	}()
	c.undo.add(func() error {
		<-s.done
		if s.srv != nil {
			return s.srv.Close()
		}
		return nil
	})
	return s
}

// awaitServer waits for the server's start to finish.
func (c *check) awaitServer(s *serverStart) error {
	<-s.done
	if s.err != nil {
		return s.err
	}
	c.srv = s.srv
	c.res.Server, c.res.ServerVersion = s.srv.Source, s.srv.Version
	c.res.Timings.ServerReady = s.at
	c.secrets = s.srv.Secrets()
	return nil
}

// readMigrations lists the migrations of both versions, the new ones and
// the deferred ones the change adds, and loads those the built-in runner
// applies (an ORM's wait for render, on the server).
func (c *check) readMigrations(ctx context.Context) error {
	opts := c.opts
	prevFS, err := opts.Repo.FS(ctx, opts.Previous)
	if err != nil {
		return err
	}
	c.undo.add(prevFS.Close)
	c.prevFS, c.headFS = prevFS, os.DirFS(opts.Repo.Root)
	if opts.Head != "" {
		t, err := opts.Repo.FS(ctx, opts.Head)
		if err != nil {
			return err
		}
		c.undo.add(t.Close)
		c.headFS = t
	}
	if c.prevList, err = opts.Format.List(c.prevFS, opts.Dir); err != nil {
		return fmt.Errorf("list the previous version's migrations: %w", err)
	}
	if c.headList, err = opts.Format.List(c.headFS, opts.Dir); err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	c.newList = newMigrations(c.prevList, c.headList)
	if c.deferredList, err = deferredAdded(c.prevFS, c.headFS, opts); err != nil {
		return err
	}
	if rendered(opts) {
		return nil
	}
	if opts.MigrateCommand == "" {
		if c.prevMs, err = Load(c.prevFS, opts.Format, c.prevList); err != nil {
			return fmt.Errorf("previous version: %w", err)
		}
	}
	if c.newMs, err = Load(c.headFS, opts.Format, c.newList); err != nil && opts.MigrateCommand == "" {
		return err
	}
	if c.deferredMs, err = Load(c.headFS, deferredFormat(opts), c.deferredList); err != nil {
		return fmt.Errorf("deferred migrations: %w", err)
	}
	return nil
}

// checkout checks out the code of the previous version, and of the head
// when it is a commit (else the work tree is the head's checkout).
func (c *check) checkout(ctx context.Context) error {
	prev, err := c.opts.Repo.AddWorktree(ctx, c.opts.Previous, "phasegate-previous-")
	if err != nil {
		return err
	}
	c.undo.add(prev.Remove)
	c.prevDir, c.headDir = prev.Dir, c.opts.Repo.Root
	if c.opts.Head != "" {
		t, err := c.opts.Repo.AddWorktree(ctx, c.opts.Head, "phasegate-head-")
		if err != nil {
			return err
		}
		c.undo.add(t.Remove)
		c.headDir = t.Dir
	}
	return nil
}

// render takes an ORM's migrations as the SQL it renders for each
// version, in place of the files' lists.
func (c *check) render(ctx context.Context) error {
	opts := c.opts
	prevR, err := renderVersion(ctx, opts, c.srv, opts.Previous, "previous")
	if err != nil {
		return err
	}
	headR, err := renderVersion(ctx, opts, c.srv, opts.Head, "head")
	if err != nil {
		return err
	}
	c.prevList, c.headList = prevR.Migrations, headR.Migrations
	c.newList = newMigrations(c.prevList, c.headList)
	if c.prevMs, err = loadRendered(prevR, c.prevFS, opts.Format, c.prevList); err != nil {
		return fmt.Errorf("previous version: %w", err)
	}
	if c.newMs, err = loadRendered(headR, c.headFS, opts.Format, c.newList); err != nil {
		return err
	}
	if c.deferredMs, err = loadRendered(headR, c.headFS, deferredFormat(opts), c.deferredList); err != nil {
		return fmt.Errorf("deferred migrations: %w", err)
	}
	return nil
}

// buildPrevious builds the previous schema, once: the template of the
// baseline scenario and of the new schema.
func (c *check) buildPrevious(ctx context.Context) error {
	db, err := c.srv.Create(ctx, "previous", nil)
	if err != nil {
		return err
	}
	if err := migrate(ctx, c.opts, db, c.prevMs, c.prevDir, c.secrets); err != nil {
		return fmt.Errorf("build the previous schema (%s): %w", short(c.opts.Previous), err)
	}
	c.prevDB = db
	c.prevSnap, err = snapshot(ctx, db)
	return err
}

// buildNew builds the schema right after the new migrations: production
// before the new code deploys. The new migrations failing to apply is a
// finding (Result.MigrationError), not an error of the check.
func (c *check) buildNew(ctx context.Context) error {
	start := time.Now()
	db, err := c.srv.Create(ctx, "new", c.prevDB)
	if err != nil {
		return err
	}
	c.newDB = db
	if c.migErr = migrate(ctx, c.opts, db, c.newMs, c.headDir, c.secrets); c.migErr != nil {
		c.res.MigrationError = c.migErr.Error()
	} else {
		if c.newSnap, err = snapshot(ctx, db); err != nil {
			return err
		}
		c.res.Changes = Diff(c.prevSnap, c.newSnap)
		attribute(c.res.Changes, c.newMs, c.opts.Judged)
	}
	c.res.Timings.NewSchema = time.Since(start)
	return nil
}

// cloneScenarios gives each scenario that runs a database cloned from its
// schema and the checkout its suite runs in, and starts the recording of
// the compat scenario.
func (c *check) cloneScenarios(ctx context.Context) error {
	start := time.Now()
	if err := c.planJobs(ctx); err != nil {
		return err
	}
	compat := c.scenario(ScenarioCompat)
	for i := range c.jobs {
		j := &c.jobs[i]
		db, err := c.srv.Create(ctx, j.sc.Name, j.tmpl)
		if err != nil {
			return err
		}
		j.db = db
		if j.sc == compat && c.opts.Record && c.opts.TestCommand != "" {
			c.rec = startRecording(ctx, c.srv)
			j.rec = c.rec
			c.undo.add(func() error { c.rec.close(); return nil })
		}
	}
	c.res.Timings.Clones = time.Since(start)
	return nil
}

// planJobs says, for each scenario that runs, which schema it clones,
// where its suite runs and which version table it writes; the scenarios
// that cannot run after the new migrations failed say why.
func (c *check) planJobs(ctx context.Context) error {
	opts := c.opts
	add := func(name string, tmpl *Database, dir string, prep func(context.Context, *Database) error) {
		if sc := c.scenario(name); !opts.Off[name] { // else reported as skipped already
			c.jobs = append(c.jobs, job{sc: sc, tmpl: tmpl, dir: dir, prep: prep})
		}
	}
	prevList, headList, prevFS, headFS := c.prevList, c.headList, c.prevFS, c.headFS
	add(ScenarioBaseline, c.prevDB, c.prevDir, func(ctx context.Context, db *Database) error {
		return bookkeep(ctx, opts, db, prevList, prevList, prevFS)
	})
	if c.migErr != nil {
		compat, deploy, ready := c.scenario(ScenarioCompat), c.scenario(ScenarioDeploy), c.scenario(ScenarioContractReady)
		compat.Status, compat.Reason = StatusError, "the new migrations failed to apply: "+c.migErr.Error()
		deploy.Status, deploy.Reason = StatusSkipped, "the new migrations failed to apply"
		ready.Status, ready.Reason = StatusSkipped, "the new migrations failed to apply"
		return nil
	}
	compatDir := c.prevDir
	if opts.Jobs > 1 && opts.TestCommand != "" && !opts.Off[ScenarioBaseline] && !opts.Off[ScenarioCompat] {
		// A second checkout, so the two runs of the previous version's
		// tests do not share build output or caches.
		t, err := opts.Repo.AddWorktree(ctx, opts.Previous, "phasegate-previous-")
		if err != nil {
			return err
		}
		c.undo.add(t.Remove)
		compatDir = t.Dir
	}
	applied := append(append([]source.Migration{}, prevList...), c.newList...)
	add(ScenarioCompat, c.newDB, compatDir, func(ctx context.Context, db *Database) error {
		return bookkeep(ctx, opts, db, prevList, applied, layered{prevFS, headFS})
	})
	// The new code migrates on start too: it finds every migration it has
	// applied, and nothing of the deferred ones.
	add(ScenarioDeploy, c.newDB, c.headDir, func(ctx context.Context, db *Database) error {
		return bookkeep(ctx, opts, db, headList, applied, layered{headFS, prevFS})
	})
	if len(c.deferredMs) == 0 {
		ready := c.scenario(ScenarioContractReady)
		ready.Status, ready.Reason = StatusSkipped, "the change adds no deferred contract migration"
		return nil
	}
	deferredMs, deferredList := c.deferredMs, c.deferredList
	add(ScenarioContractReady, c.newDB, c.headDir, func(ctx context.Context, db *Database) error {
		if err := applyBuiltin(ctx, opts, db, deferredMs); err != nil {
			return fmt.Errorf("apply the deferred migrations: %w", err)
		}
		return bookkeep(ctx, opts, db, headList, append(applied, deferredList...), layered{headFS, prevFS})
	})
	return nil
}

// newMigrations lists the migrations of head that prev does not have.
func newMigrations(prev, head []source.Migration) []source.Migration {
	inPrev := map[string]bool{}
	for _, m := range prev {
		inPrev[m.Path] = true
	}
	var out []source.Migration
	for _, m := range head {
		if !inPrev[m.Path] {
			out = append(out, m)
		}
	}
	return out
}

// migrate brings db to a version's schema: with the project's own command
// in that version's checkout, or with the built-in runner.
func migrate(ctx context.Context, opts Options, db *Database, ms []Migration, dir string, secrets []string) error {
	if opts.MigrateCommand != "" {
		out := Command{Script: opts.MigrateCommand, Dir: dir, Env: db.Env(opts.EnvNames), Timeout: opts.Timeout,
			Stream: opts.Verbose, Prefix: "[migrate] ", Secrets: secrets}.Run(ctx)
		if out.Err != nil || out.ExitCode != 0 {
			reason := fmt.Sprintf("exit status %d", out.ExitCode)
			if out.Err != nil {
				reason = out.Err.Error()
			}
			return fmt.Errorf("migrate.command %q failed (%s):\n%s", opts.MigrateCommand, reason, lastLines(out.Tail, 20))
		}
		return nil
	}
	return applyBuiltin(ctx, opts, db, ms)
}

func applyBuiltin(ctx context.Context, opts Options, db *Database, ms []Migration) error {
	if len(ms) == 0 {
		return nil
	}
	conn, err := db.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return opts.Runner.Apply(ctx, conn, ms)
}

// bookkeep writes the version table a release's migrate-on-start reads
// (only with the built-in runner: a migrate command keeps its own).
func bookkeep(ctx context.Context, opts Options, db *Database, release, applied []source.Migration, files fs.FS) error {
	if opts.MigrateCommand != "" {
		return nil
	}
	conn, err := db.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return Bookkeeping(ctx, conn, opts.Format, opts.Dir, release, applied, files)
}

func snapshot(ctx context.Context, db *Database) (*Snapshot, error) {
	conn, err := db.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return TakeSnapshot(ctx, conn)
}

// deferredAdded lists the deferred migrations the change adds.
func deferredAdded(prevFS, headFS fs.FS, opts Options) ([]source.Migration, error) {
	if opts.DeferredDir == "" {
		return nil, nil
	}
	f := deferredFormat(opts)
	head, err := f.List(headFS, opts.DeferredDir)
	if err != nil {
		return nil, fmt.Errorf("list deferred migrations: %w", err)
	}
	prev, _ := f.List(prevFS, opts.DeferredDir)
	return newMigrations(prev, head), nil
}

// deferredFormat is the format of the deferred directory.
func deferredFormat(opts Options) source.Format { return deferred.Format(opts.Format) }
