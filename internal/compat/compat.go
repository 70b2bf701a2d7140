package compat

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
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
func Run(ctx context.Context, opts Options) (res *Result, err error) {
	if opts.Jobs < 1 {
		opts.Jobs = 1
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	headV, prevV := headVersion(opts.Head), short(opts.Previous)
	res = &Result{Previous: opts.Previous, Scenarios: []Scenario{
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
	var cleanups []func()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error: %v\n%s", p, debug.Stack())
		}
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
		if err != nil {
			if ctx.Err() != nil {
				err = fmt.Errorf("runtime check cancelled before it finished (%w)", ctx.Err())
			}
			res.stop(err)
		}
	}()

	// One server for the whole check, started first: it gets ready while
	// the migrations are read and the previous version is checked out.
	type started struct {
		srv *Server
		err error
		at  time.Duration
	}
	serverCh := make(chan started, 1)
	begin := time.Now()
	go func() {
		var st started
		if opts.URL != "" {
			fmt.Fprintf(opts.Log, "phasegate: using the PostgreSQL server of --database-url\n")
			st.srv, st.err = Connect(ctx, opts.URL)
		} else {
			fmt.Fprintf(opts.Log, "phasegate: starting PostgreSQL (%s)\n", opts.Image)
			st.srv, st.err = StartContainer(ctx, ContainerOptions{Image: opts.Image, Pull: opts.Pull, Labels: opts.Labels})
		}
		st.at = time.Since(begin)
		serverCh <- st
	}()
	var srv *Server
	received := false
	cleanups = append(cleanups, func() {
		if !received { // an earlier step failed: wait for the start to finish, then stop it
			if st := <-serverCh; st.srv != nil {
				st.srv.Close()
			}
		}
	})

	// The migration lists of both versions.
	prevFS, err := opts.Repo.FS(ctx, opts.Previous)
	if err != nil {
		return res, err
	}
	cleanups = append(cleanups, func() { prevFS.Close() })
	var headFS fs.FS = os.DirFS(opts.Repo.Root)
	if opts.Head != "" {
		t, err := opts.Repo.FS(ctx, opts.Head)
		if err != nil {
			return res, err
		}
		cleanups = append(cleanups, func() { t.Close() })
		headFS = t
	}
	prevList, err := opts.Format.List(prevFS, opts.Dir)
	if err != nil {
		return res, fmt.Errorf("list the previous version's migrations: %w", err)
	}
	headList, err := opts.Format.List(headFS, opts.Dir)
	if err != nil {
		return res, fmt.Errorf("list migrations: %w", err)
	}
	newList := newMigrations(prevList, headList)
	deferredList, err := deferredAdded(prevFS, headFS, opts)
	if err != nil {
		return res, err
	}
	var prevMs, newMs, deferredMs []Migration
	if !rendered(opts) {
		if opts.MigrateCommand == "" {
			if prevMs, err = Load(prevFS, opts.Format, prevList); err != nil {
				return res, fmt.Errorf("previous version: %w", err)
			}
		}
		if newMs, err = Load(headFS, opts.Format, newList); err != nil && opts.MigrateCommand == "" {
			return res, err
		}
		if deferredMs, err = Load(headFS, deferredFormat(opts), deferredList); err != nil {
			return res, fmt.Errorf("deferred migrations: %w", err)
		}
	}

	// The code of the previous version.
	prevTree, err := opts.Repo.AddWorktree(ctx, opts.Previous, "phasegate-previous-")
	if err != nil {
		return res, err
	}
	cleanups = append(cleanups, func() { prevTree.Remove() })
	headDir := opts.Repo.Root
	if opts.Head != "" {
		t, err := opts.Repo.AddWorktree(ctx, opts.Head, "phasegate-head-")
		if err != nil {
			return res, err
		}
		cleanups = append(cleanups, func() { t.Remove() })
		headDir = t.Dir
	}

	st := <-serverCh
	received = true
	if st.err != nil {
		return res, st.err
	}
	srv = st.srv
	cleanups = append(cleanups, func() { srv.Close() })
	res.Server = srv.Source
	res.Timings.ServerReady = st.at
	secrets := srv.Secrets()
	start := time.Now()

	// An ORM's migrations: the SQL it renders for each version.
	if rendered(opts) {
		prevR, err := renderVersion(ctx, opts, srv, opts.Previous, "previous")
		if err != nil {
			return res, err
		}
		headR, err := renderVersion(ctx, opts, srv, opts.Head, "head")
		if err != nil {
			return res, err
		}
		prevList, headList = prevR.Migrations, headR.Migrations
		newList = newMigrations(prevList, headList)
		if prevMs, err = loadRendered(prevR, prevFS, opts.Format, prevList); err != nil {
			return res, fmt.Errorf("previous version: %w", err)
		}
		if newMs, err = loadRendered(headR, headFS, opts.Format, newList); err != nil {
			return res, err
		}
		if deferredMs, err = loadRendered(headR, headFS, deferredFormat(opts), deferredList); err != nil {
			return res, fmt.Errorf("deferred migrations: %w", err)
		}
	}

	// The previous schema, built once.
	prevDB, err := srv.Create(ctx, "previous", nil)
	if err != nil {
		return res, err
	}
	if err := migrate(ctx, opts, prevDB, prevMs, prevTree.Dir, secrets); err != nil {
		return res, fmt.Errorf("build the previous schema (%s): %w", short(opts.Previous), err)
	}
	prevSnap, err := snapshot(ctx, prevDB)
	if err != nil {
		return res, err
	}
	res.Timings.PreviousSchema = time.Since(start)

	// The schema right after the new migrations: production before the
	// new code deploys.
	start = time.Now()
	newDB, err := srv.Create(ctx, "new", prevDB)
	if err != nil {
		return res, err
	}
	migErr := migrate(ctx, opts, newDB, newMs, headDir, secrets)
	var newSnap *Snapshot
	if migErr != nil {
		res.MigrationError = migErr.Error()
	} else {
		newSnap, err = snapshot(ctx, newDB)
		if err != nil {
			return res, err
		}
		res.Changes = Diff(prevSnap, newSnap)
		attribute(res.Changes, newMs, opts.Judged)
	}
	res.Timings.NewSchema = time.Since(start)

	// Scenario databases, cloned from the two templates.
	start = time.Now()
	type job struct {
		sc   *Scenario
		db   *Database
		tmpl *Database
		dir  string
		prep func(context.Context, *Database) error
		rec  *recording
	}
	baseline, compat, deploy, ready := &res.Scenarios[0], &res.Scenarios[1], &res.Scenarios[2], &res.Scenarios[3]
	var jobs []job
	add := func(sc *Scenario, tmpl *Database, dir string, prep func(context.Context, *Database) error) {
		if opts.Off[sc.Name] {
			return // reported as skipped already
		}
		jobs = append(jobs, job{sc: sc, tmpl: tmpl, dir: dir, prep: prep})
	}
	add(baseline, prevDB, prevTree.Dir, func(ctx context.Context, db *Database) error {
		return bookkeep(ctx, opts, db, prevList, prevList, prevFS)
	})
	if migErr != nil {
		compat.Status, compat.Reason = Error, "the new migrations failed to apply: "+migErr.Error()
		deploy.Status, deploy.Reason = Skipped, "the new migrations failed to apply"
		ready.Status, ready.Reason = Skipped, "the new migrations failed to apply"
	} else {
		compatDir := prevTree.Dir
		if opts.Jobs > 1 && opts.TestCommand != "" && !opts.Off[Baseline] && !opts.Off[Compat] {
			// A second checkout, so the two runs of the previous version's
			// tests do not share build output or caches.
			t, err := opts.Repo.AddWorktree(ctx, opts.Previous, "phasegate-previous-")
			if err != nil {
				return res, err
			}
			cleanups = append(cleanups, func() { t.Remove() })
			compatDir = t.Dir
		}
		applied := append(append([]source.Migration{}, prevList...), newList...)
		add(compat, newDB, compatDir, func(ctx context.Context, db *Database) error {
			return bookkeep(ctx, opts, db, prevList, applied, layered{prevFS, headFS})
		})
		// The new code migrates on start too: it finds every migration it
		// has applied, and nothing of the deferred ones.
		add(deploy, newDB, headDir, func(ctx context.Context, db *Database) error {
			return bookkeep(ctx, opts, db, headList, applied, layered{headFS, prevFS})
		})
		if len(deferredMs) == 0 {
			ready.Status, ready.Reason = Skipped, "the change adds no deferred contract migration"
		} else {
			add(ready, newDB, headDir, func(ctx context.Context, db *Database) error {
				if err := applyBuiltin(ctx, opts, db, deferredMs); err != nil {
					return fmt.Errorf("apply the deferred migrations: %w", err)
				}
				return bookkeep(ctx, opts, db, headList, append(applied, deferredList...), layered{headFS, prevFS})
			})
		}
	}
	var rec *recording
	for i := range jobs {
		db, err := srv.Create(ctx, jobs[i].sc.Name, jobs[i].tmpl)
		if err != nil {
			return res, err
		}
		jobs[i].db = db
		if jobs[i].sc == compat && opts.Record && opts.TestCommand != "" {
			rec = startRecording(ctx, srv)
			jobs[i].rec = rec
			cleanups = append(cleanups, rec.close)
		}
	}
	res.Timings.Clones = time.Since(start)

	// The lock trace, on its own clone, beside the scenarios.
	var wg sync.WaitGroup
	var traceErr error
	if migErr == nil && len(newMs) > 0 && opts.MigrateCommand == "" {
		traceDB, err := srv.Create(ctx, "locks", prevDB)
		if err != nil {
			return res, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					traceErr = fmt.Errorf("lock trace: internal error: %v", p)
				}
			}()
			start := time.Now()
			conn, err := traceDB.Connect(ctx)
			if err != nil {
				traceErr = err
				return
			}
			defer conn.Close(context.WithoutCancel(ctx))
			res.Traces, traceErr = TraceLocks(ctx, conn, newMs, prevSnap)
			res.Timings.LockTrace = time.Since(start)
		}()
	}

	// The scenarios, at most Jobs at a time; those that share a checkout
	// (deploy and contract-ready both run the head's) one after the other,
	// so their builds and caches never race.
	sem := make(chan struct{}, opts.Jobs)
	dirLocks := map[string]*sync.Mutex{}
	for _, j := range jobs {
		if dirLocks[j.dir] == nil {
			dirLocks[j.dir] = &sync.Mutex{}
		}
	}
	for i := range jobs {
		j := jobs[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			dirLocks[j.dir].Lock()
			defer dirLocks[j.dir].Unlock()
			sem <- struct{}{}
			defer func() { <-sem }()
			defer func() {
				if p := recover(); p != nil {
					j.sc.Status, j.sc.Reason = Error, fmt.Sprintf("internal error: %v", p)
				}
			}()
			runScenario(ctx, opts, srv, j.sc, j.db, j.tmpl, j.dir, j.prep, j.rec, secrets, res.Changes)
		}()
	}
	wg.Wait()
	if opts.Results.Format != "" {
		blame(res) // before the proof is judged: a vacuous proof fails compat all the same
	}
	rec.finish(res, compat, prevSnap, newSnap)
	if traceErr != nil {
		fmt.Fprintf(opts.Log, "phasegate: lock trace stopped: %v\n", traceErr)
	}
	if ctx.Err() != nil {
		return res, ctx.Err() // the deferred function says it was cancelled
	}
	if deploy.Status == Fail && len(deferredMs) > 0 {
		// What the new code needs that only the deferred contract provides.
		missing, err := provided(ctx, srv, opts, newDB, newSnap, deferredMs)
		if err != nil {
			fmt.Fprintf(opts.Log, "phasegate: could not tell what the deferred migrations provide: %v\n", err)
		}
		deploy.Implicated = Implicated(missing, deploy.tail)
	}
	res.Verdict = verdict(res)
	return res, nil
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
