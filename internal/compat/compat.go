package compat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/source"
)

// Scenario names, in the order production goes through the states they
// prove.
const (
	// Baseline: the previous release's tests on its own schema (is the
	// proof meaningful at all).
	Baseline = "baseline"
	// Compat: the previous release's tests on the schema after the change's
	// active migrations (the migrations ran, old instances still serve, or
	// a rollback).
	Compat = "compat"
	// Deploy: the change's code and tests on that same expanded schema, the
	// state production lives in for a whole release cycle, until the
	// deferred contract runs.
	Deploy = "deploy"
	// ContractReady: the change's code and tests on the schema after the
	// deferred contract migrations too (what the follow-up applies).
	ContractReady = "contract-ready"
)

// Scenarios lists the scenario names in order.
var Scenarios = []string{Baseline, Compat, Deploy, ContractReady}

// Scenario statuses.
const (
	Pass    = "pass"
	Fail    = "fail"
	Error   = "error"
	Skipped = "skipped"
)

// Options configure a runtime check.
type Options struct {
	Repo *git.Repo
	// Previous is the commit of the release production runs; Head the
	// commit under review, or "" for the work tree.
	Previous, Head string
	// Format and Dir locate the migrations; DeferredDir holds deferred
	// contract migrations ("" for none).
	Format      source.Format
	Dir         string
	DeferredDir string

	// URL, if set, is an existing server to use instead of a container.
	URL string
	// Image is the container image; Pull allows pulling it.
	Image string
	Pull  bool
	// Labels are added to the container.
	Labels map[string]string

	// MigrateCommand, if set, applies the migrations instead of the
	// built-in runner (run in the version's checkout).
	MigrateCommand string
	Runner         Runner
	// Render gives the SQL of a format whose migrations are code (Alembic,
	// Django), which the built-in runner applies when MigrateCommand is
	// empty: the migrations of rev ("" the work tree), deferred ones
	// included. database makes a new, empty database for an ORM that
	// writes its SQL on a live one (Django).
	Render func(ctx context.Context, rev string, database func(context.Context) (string, error)) (*Rendering, error)
	// Judged are the new migrations' statements as the static check read
	// them (for an ORM, the SQL it renders, at the migration file's
	// lines): with a migrate command, the only place that says which
	// migration line removed what.
	Judged []JudgedStatement

	// TestCommand is the project's test suite; empty skips the scenarios.
	TestCommand string
	// Results, when its Format is set, is where the suite writes per-test
	// results: the scenarios are then judged test by test (pertest.go).
	Results Results
	// TestDatabase, when set, names the database the suite's own runner
	// tests on, given the checkout and the suite's environment (Django's
	// test runner: test_<NAME>, or the settings' TEST NAME); "" when it
	// tests on the database it is given. Each scenario's migrated database
	// is cloned under that name before the suite runs (with --keepdb the
	// runner then uses it as it is).
	TestDatabase func(ctx context.Context, dir string, env []string) (string, error)
	// Record runs the compat scenario's suite through the capture proxy,
	// to tell which statements of the previous release's tests used what
	// the change removes (Change.Coverage, Result.Proof).
	Record bool
	// Off names scenarios the user turned off (tests.scenarios): they are
	// reported as skipped, with the reason.
	Off map[string]bool
	// Shard, when set, runs this slice of the test suite in every scenario
	// (check --shard I/N; see Shard.command).
	Shard    Shard
	TestEnv  []string
	EnvNames map[string]string
	Timeout  time.Duration
	Jobs     int

	// Verbose, if set, receives the commands' output as it comes.
	Verbose io.Writer
	// Log receives progress lines.
	Log io.Writer
}

// Result is what the runtime check found.
type Result struct {
	Previous  string     `json:"previous"`
	Server    string     `json:"server"`
	Scenarios []Scenario `json:"scenarios"`
	// Verdict is pass, fail (compat, deploy or contract-ready failed),
	// baseline broken (the previous release's tests fail on its own schema, so the
	// migrations are not blamed), or error.
	Verdict string `json:"verdict"`
	// Changes are what the new migrations removed, renamed or narrowed.
	Changes []Change `json:"changes"`
	// Proof is what the recording of the compat scenario says about it:
	// the statements the previous release's tests ran, and whether the
	// proof is vacuous (nil when the scenario was not recorded).
	Proof *Proof `json:"proof,omitempty"`
	// Traces are the measured locks, per new statement.
	Traces []Trace `json:"-"`
	// MigrationError is set when a migration failed to apply.
	MigrationError string `json:"migration_error,omitempty"`
	// Error says why the check could not run or did not finish (Docker
	// unreachable, the server refused, the previous schema did not build,
	// cancelled); the verdict is then error, and the scenarios that did not
	// finish are errors too.
	Error   string  `json:"error,omitempty"`
	Timings Timings `json:"timings"`
}

// Timings measure phasegate's own overhead.
type Timings struct {
	ServerReady    time.Duration `json:"server_ready_ns"`
	PreviousSchema time.Duration `json:"previous_schema_ns"`
	NewSchema      time.Duration `json:"new_schema_ns"`
	Clones         time.Duration `json:"clones_ns"`
	LockTrace      time.Duration `json:"lock_trace_ns"`
}

// Scenario is one run of a test suite against one schema.
type Scenario struct {
	Name     string        `json:"name"`
	Status   string        `json:"status"`
	Duration time.Duration `json:"-"`
	Command  string        `json:"command,omitempty"`
	// Version is the commit whose tests ran ("work tree" for the head).
	Version    string   `json:"version,omitempty"`
	OutputTail string   `json:"output_tail,omitempty"`
	Implicated []Change `json:"implicated,omitempty"`
	// Reason explains an error, a skip or a failure.
	Reason string `json:"reason,omitempty"`
	// Tests are the per-test results, with tests.results (nil without).
	Tests *Tests `json:"tests,omitempty"`
	// tail is all of the output phasegate kept, to find the culprit in.
	tail string
}

// Run performs the runtime check. Every database, container and worktree
// it creates is removed before it returns, whatever happens.
//
// When the check cannot run or does not finish (no server, the previous
// schema does not build, ctx is cancelled), Run returns the error and a
// result all the same: what was done before it, with the verdict error and
// the error's message, so that the caller reports it beside the static
// results instead of in their place.
//
// The check goes through four stages: plan (the scenarios, and those the
// config turns off), prepare (the server, both versions' migrations and
// checkouts, the previous and the new schema, a database per scenario),
// runScenarios (the test suites and the lock trace) and collect (the
// proof, the culprits, the verdict).
func Run(ctx context.Context, opts Options) (*Result, error) {
	c := &check{opts: withDefaults(opts)}
	c.res = plan(c.opts)
	err := c.run(ctx)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("runtime check cancelled before it finished (%w)", ctx.Err())
		}
		c.res.stop(err)
	}
	return c.res, err
}

// check is one runtime check under way: what its stages hand each other.
type check struct {
	opts Options
	res  *Result
	// undo removes what the stages created, last first.
	undo cleanups

	srv     *Server
	secrets []string

	// The migrations of both versions: their files, their lists (the new
	// ones: in head and not in previous; the deferred ones the change
	// adds), and the migrations the built-in runner applies.
	prevFS, headFS                            fs.FS
	prevList, headList, newList, deferredList []source.Migration
	prevMs, newMs, deferredMs                 []Migration

	// The checkouts, the two schemas and what they hold.
	prevDir, headDir  string
	prevDB, newDB     *Database
	prevSnap, newSnap *Snapshot
	// migErr is why the new migrations did not apply (the compat scenario
	// is then an error, and the next ones do not run).
	migErr error

	jobs     []job
	rec      *recording
	traceErr error
}

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

// withDefaults fills the options a caller may leave out.
func withDefaults(opts Options) Options {
	if opts.Jobs < 1 {
		opts.Jobs = 1
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	return opts
}

// plan lays out the four scenarios, each with the version whose tests it
// runs, and marks those the config turns off as skipped.
func plan(opts Options) *Result {
	headV, prevV := headVersion(opts.Head), short(opts.Previous)
	res := &Result{Previous: opts.Previous, Scenarios: []Scenario{
		{Name: Baseline, Version: prevV, Command: opts.TestCommand},
		{Name: Compat, Version: prevV, Command: opts.TestCommand},
		{Name: Deploy, Version: headV, Command: opts.TestCommand},
		{Name: ContractReady, Version: headV, Command: opts.TestCommand},
	}}
	for i := range res.Scenarios {
		if sc := &res.Scenarios[i]; opts.Off[sc.Name] {
			sc.Status, sc.Reason = Skipped, "turned off in the config (tests.scenarios)"
		}
	}
	return res
}

// scenario is the planned scenario of that name.
func (c *check) scenario(name string) *Scenario {
	return &c.res.Scenarios[slices.Index(Scenarios, name)] // plan lays them out in this order
}

// run goes through the stages after plan, and removes what they created
// before it returns, whatever happens.
func (c *check) run(ctx context.Context) error {
	defer func() {
		if err := c.undo.run(); err != nil {
			fmt.Fprintf(c.opts.Log, "phasegate: cleaning up after the runtime check: %v\n", err)
		}
	}()
	if err := c.prepare(ctx); err != nil {
		return err
	}
	if err := c.runScenarios(ctx); err != nil {
		return err
	}
	return c.collect(ctx)
}

// cleanups undo what a check created, last first; their errors are joined.
type cleanups []func() error

func (u *cleanups) add(f func() error) { *u = append(*u, f) }

func (u cleanups) run() error {
	var errs []error
	for i := len(u) - 1; i >= 0; i-- {
		errs = append(errs, u[i]())
	}
	return errors.Join(errs...)
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
			s.srv, s.err = Connect(ctx, c.opts.URL)
		} else {
			fmt.Fprintf(c.opts.Log, "phasegate: starting PostgreSQL (%s)\n", c.opts.Image)
			s.srv, s.err = StartContainer(ctx, ContainerOptions{Image: c.opts.Image, Pull: c.opts.Pull, Labels: c.opts.Labels})
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
	c.res.Server = s.srv.Source
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
	compat := c.scenario(Compat)
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
	add(Baseline, c.prevDB, c.prevDir, func(ctx context.Context, db *Database) error {
		return bookkeep(ctx, opts, db, prevList, prevList, prevFS)
	})
	if c.migErr != nil {
		compat, deploy, ready := c.scenario(Compat), c.scenario(Deploy), c.scenario(ContractReady)
		compat.Status, compat.Reason = Error, "the new migrations failed to apply: "+c.migErr.Error()
		deploy.Status, deploy.Reason = Skipped, "the new migrations failed to apply"
		ready.Status, ready.Reason = Skipped, "the new migrations failed to apply"
		return nil
	}
	compatDir := c.prevDir
	if opts.Jobs > 1 && opts.TestCommand != "" && !opts.Off[Baseline] && !opts.Off[Compat] {
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
	add(Compat, c.newDB, compatDir, func(ctx context.Context, db *Database) error {
		return bookkeep(ctx, opts, db, prevList, applied, layered{prevFS, headFS})
	})
	// The new code migrates on start too: it finds every migration it has
	// applied, and nothing of the deferred ones.
	add(Deploy, c.newDB, c.headDir, func(ctx context.Context, db *Database) error {
		return bookkeep(ctx, opts, db, headList, applied, layered{headFS, prevFS})
	})
	if len(c.deferredMs) == 0 {
		ready := c.scenario(ContractReady)
		ready.Status, ready.Reason = Skipped, "the change adds no deferred contract migration"
		return nil
	}
	deferredMs, deferredList := c.deferredMs, c.deferredList
	add(ContractReady, c.newDB, c.headDir, func(ctx context.Context, db *Database) error {
		if err := applyBuiltin(ctx, opts, db, deferredMs); err != nil {
			return fmt.Errorf("apply the deferred migrations: %w", err)
		}
		return bookkeep(ctx, opts, db, headList, append(applied, deferredList...), layered{headFS, prevFS})
	})
	return nil
}

// runScenarios runs the scenarios' suites, at most Jobs at a time, and
// the lock trace on its own clone beside them; it returns when all have
// finished (with an error only when the trace's clone cannot be made).
// Scenarios that share a checkout (deploy and contract-ready both run the
// head's) run one after the other, so their builds and caches never race.
func (c *check) runScenarios(ctx context.Context) error {
	var wg sync.WaitGroup
	if c.migErr == nil && len(c.newMs) > 0 && c.opts.MigrateCommand == "" {
		traceDB, err := c.srv.Create(ctx, "locks", c.prevDB)
		if err != nil {
			return err
		}
		wg.Go(func() {
			c.traceErr = guard(func() error { return c.traceLocks(ctx, traceDB) })
		})
	}
	sem := make(chan struct{}, c.opts.Jobs)
	dirLocks := map[string]*sync.Mutex{}
	for _, j := range c.jobs {
		if dirLocks[j.dir] == nil {
			dirLocks[j.dir] = &sync.Mutex{}
		}
	}
	for _, j := range c.jobs {
		wg.Go(func() {
			dirLocks[j.dir].Lock()
			defer dirLocks[j.dir].Unlock()
			sem <- struct{}{}
			defer func() { <-sem }()
			err := guard(func() error {
				runScenario(ctx, c.opts, c.srv, j.sc, j.db, j.tmpl, j.dir, j.prep, j.rec, c.secrets, c.res.Changes)
				return nil
			})
			if err != nil {
				j.sc.Status, j.sc.Reason = Error, err.Error()
			}
		})
	}
	wg.Wait()
	return nil
}

// traceLocks measures the locks each new statement takes, on db.
func (c *check) traceLocks(ctx context.Context, db *Database) error {
	start := time.Now()
	conn, err := db.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	c.res.Traces, err = TraceLocks(ctx, conn, c.newMs, c.prevSnap)
	c.res.Timings.LockTrace = time.Since(start)
	return err
}

// guard runs f and turns a panic into its error. It is the one recover of
// the runtime check, for the goroutines it starts: a panic there would end
// the process before Run's cleanup removes the container, the databases
// and the checkouts (a panic in Run's own goroutine unwinds through that
// cleanup, and needs no recover).
func guard(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error: %v", p)
		}
	}()
	return f()
}

// collect judges what the scenarios found: each test (with
// tests.results), the compat scenario's proof, what the deploy scenario
// needs of the deferred contract, and the verdict.
func (c *check) collect(ctx context.Context) error {
	res, compat, deploy := c.res, c.scenario(Compat), c.scenario(Deploy)
	if c.opts.Results.Format != "" {
		blame(res) // before the proof is judged: a vacuous proof fails compat all the same
	}
	c.rec.finish(res, compat, c.prevSnap, c.newSnap)
	if c.traceErr != nil {
		fmt.Fprintf(c.opts.Log, "phasegate: lock trace stopped: %v\n", c.traceErr)
	}
	if ctx.Err() != nil {
		return ctx.Err() // Run says it was cancelled
	}
	if deploy.Status == Fail && len(c.deferredMs) > 0 {
		// What the new code needs that only the deferred contract provides.
		missing, err := provided(ctx, c.srv, c.opts, c.newDB, c.newSnap, c.deferredMs)
		if err != nil {
			fmt.Fprintf(c.opts.Log, "phasegate: could not tell what the deferred migrations provide: %v\n", err)
		}
		deploy.Implicated = Implicated(missing, deploy.tail)
	}
	res.Verdict = verdict(res)
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

// provided lists what the deferred migrations add to the expanded schema
// (columns and relations under new names, functions): what the new code
// may need before the contract runs. It applies them on a clone of
// expanded, which it drops.
func provided(ctx context.Context, srv *Server, opts Options, expanded *Database, before *Snapshot, deferredMs []Migration) ([]Change, error) {
	if before == nil {
		return nil, nil
	}
	db, err := srv.Create(ctx, "provided", expanded)
	if err != nil {
		return nil, err
	}
	defer srv.Drop(context.WithoutCancel(ctx), db)
	if err := applyBuiltin(ctx, opts, db, deferredMs); err != nil {
		return nil, err
	}
	after, err := snapshot(ctx, db)
	if err != nil {
		return nil, err
	}
	added := Added(before, after)
	attribute(added, deferredMs, nil)
	return added, nil
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

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func headVersion(head string) string {
	if head == "" {
		return "work tree"
	}
	return short(head)
}
