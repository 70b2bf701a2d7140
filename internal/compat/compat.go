package compat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"time"

	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/source"
)

// Scenario names, in the order production goes through the states they
// prove.
const (
	// ScenarioBaseline: the previous release's tests on its own schema
	// (is the proof meaningful at all).
	ScenarioBaseline = "baseline"
	// ScenarioCompat: the previous release's tests on the schema after
	// the change's active migrations (the migrations ran, old instances
	// still serve, or a rollback).
	ScenarioCompat = "compat"
	// ScenarioDeploy: the change's code and tests on that same expanded
	// schema, the state production lives in for a whole release cycle,
	// until the deferred contract runs.
	ScenarioDeploy = "deploy"
	// ScenarioContractReady: the change's code and tests on the schema
	// after the deferred contract migrations too (what the follow-up
	// applies).
	ScenarioContractReady = "contract-ready"
)

// Scenarios lists the scenario names in order.
var Scenarios = []string{ScenarioBaseline, ScenarioCompat, ScenarioDeploy, ScenarioContractReady}

// Scenario statuses. StatusPass, StatusFail and StatusError are verdicts
// too (Result.Verdict).
const (
	StatusPass    = "pass"
	StatusFail    = "fail"
	StatusError   = "error"
	StatusSkipped = "skipped"
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
	Previous string `json:"previous"`
	Server   string `json:"server"`
	// ServerVersion is the major version of the server the check ran on.
	ServerVersion int        `json:"server_version,omitempty"`
	Scenarios     []Scenario `json:"scenarios"`
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
		{Name: ScenarioBaseline, Version: prevV, Command: opts.TestCommand},
		{Name: ScenarioCompat, Version: prevV, Command: opts.TestCommand},
		{Name: ScenarioDeploy, Version: headV, Command: opts.TestCommand},
		{Name: ScenarioContractReady, Version: headV, Command: opts.TestCommand},
	}}
	for i := range res.Scenarios {
		if sc := &res.Scenarios[i]; opts.Off[sc.Name] {
			sc.Status, sc.Reason = StatusSkipped, "turned off in the config (tests.scenarios)"
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

// collect judges what the scenarios found: each test (with
// tests.results), the compat scenario's proof, what the deploy scenario
// needs of the deferred contract, and the verdict.
func (c *check) collect(ctx context.Context) error {
	res, compat, deploy := c.res, c.scenario(ScenarioCompat), c.scenario(ScenarioDeploy)
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
	if deploy.Status == StatusFail && len(c.deferredMs) > 0 {
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
