package compat

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// testHookScenario, when set by tests, runs at the start of each scenario.
var testHookScenario func(name string)

// runScenario runs one scenario's suite on its database, in its
// checkout, and judges it: by the exit status, or test by test with
// tests.results (rerunning the failing tests on a fresh copy).
func (c *check) runScenario(ctx context.Context, j job) {
	sc := j.sc
	start := time.Now()
	defer func() { sc.Duration = time.Since(start) }()
	if testHookScenario != nil {
		testHookScenario(sc.Name)
	}
	script, ok := c.scenarioCommand(ctx, j)
	if !ok {
		return
	}
	sc.Command = script
	fmt.Fprintf(c.opts.Log, "phasegate: %s: running %q (%s)\n", sc.Name, script, sc.Version)
	out, tests, unread, err := c.opts.Results.runOnce(j.dir, c.suite(ctx, j, script, j.db, j.rec, "["+sc.Name+"] "))
	if err != nil {
		sc.Status, sc.Reason = StatusError, err.Error()
		return
	}
	sc.OutputTail, sc.tail = lastLines(out.Tail, 80), out.Tail
	if c.opts.Results.Format == GoJSON {
		sc.OutputTail = lastLines(plainGoTest(out.Tail), 80)
	}
	switch {
	case out.Err != nil:
		sc.Status, sc.Reason = StatusError, "the test command "+out.Err.Error()
	case out.ExitCode == 127:
		sc.Status, sc.Reason = StatusError, "the test command was not found (exit status 127): check tests.command"
	case out.ExitCode != 0:
		sc.Status, sc.Reason = StatusFail, fmt.Sprintf("the test command exited with status %d", out.ExitCode)
		if sc.Name == ScenarioCompat {
			sc.Implicated = Implicated(c.res.Changes, out.Tail)
		}
	default:
		sc.Status = StatusPass
	}
	c.opts.Results.judge(sc, tests, unread, func(n int) (outcomes, error) { return c.rerun(ctx, j, script, n) })
}

// ReasonNoTestCommand is a scenario's reason for skipping its tests when
// tests.command is not set.
const ReasonNoTestCommand = "tests.command is not set: the migrations applied, but no test suite ran against them"

// scenarioCommand writes the version table the scenario's release reads
// and gives the script its suite runs (this shard's slice of
// tests.command); when there is none to run, it says why in the scenario
// and returns false.
func (c *check) scenarioCommand(ctx context.Context, j job) (string, bool) {
	sc := j.sc
	if err := j.prep(ctx, j.db); err != nil {
		sc.Status, sc.Reason = StatusError, err.Error()
		return "", false
	}
	if c.opts.TestCommand == "" {
		sc.Status, sc.Reason = StatusSkipped, ReasonNoTestCommand
		return "", false
	}
	script, empty, err := c.opts.Shard.command(ctx, c.opts.TestCommand, j.dir)
	switch {
	case err != nil:
		sc.Status, sc.Reason = StatusError, err.Error()
		return "", false
	case empty:
		sc.Status, sc.Reason = StatusSkipped, fmt.Sprintf("shard %d/%d has no Go package to test", c.opts.Shard.Index, c.opts.Shard.Total)
		return "", false
	}
	return script, true
}

// suite runs the scenario's script once on db, through the recording
// proxy when there is one, its output streamed with prefix.
func (c *check) suite(ctx context.Context, j job, script string, db *Database, rec *recording, prefix string) suiteRun {
	opts := c.opts
	return func(stdout io.Writer) (Outcome, error) {
		env := append(append(append([]string{}, opts.TestEnv...), rec.env(db, opts.EnvNames)...), opts.Shard.env()...)
		done, err := testDatabase(ctx, opts, c.srv, db, j.dir, env)
		if err != nil {
			return Outcome{}, err
		}
		defer done()
		return Command{
			Script: script, Dir: j.dir, Env: env, Stdout: stdout,
			Timeout: opts.Timeout, Stream: opts.Verbose, Prefix: prefix, Secrets: c.secrets,
		}.Run(ctx), nil
	}
}

// rerun runs the scenario's suite the n-th time again, while some tests
// fail (tests.rerun), on a fresh copy of its database: the first run's
// rows must not fail the rerun. It is not recorded: the proof is the
// first run's.
func (c *check) rerun(ctx context.Context, j job, script string, n int) (outcomes, error) {
	sc := j.sc
	fmt.Fprintf(c.opts.Log, "phasegate: %s: some tests failed: rerun %d of %q\n", sc.Name, n, script)
	again, err := c.srv.Create(ctx, fmt.Sprintf("%s_rerun%d", sc.Name, n), j.tmpl)
	if err != nil {
		return nil, err
	}
	defer c.srv.Drop(context.WithoutCancel(ctx), again)
	if err := j.prep(ctx, again); err != nil {
		return nil, err
	}
	out, tests, unread, err := c.opts.Results.runOnce(j.dir, c.suite(ctx, j, script, again, nil, fmt.Sprintf("[%s rerun %d] ", sc.Name, n)))
	switch {
	case err != nil:
		return nil, err
	case out.Err != nil:
		return nil, fmt.Errorf("the test command %s", out.Err)
	case unread != nil:
		return nil, unread
	}
	return tests, nil
}

// stop records the error that ended the check early: the verdict is
// error, and each scenario that did not finish says it did not run.
func (res *Result) stop(err error) {
	res.Verdict, res.Error = StatusError, err.Error()
	for i := range res.Scenarios {
		if sc := &res.Scenarios[i]; sc.Status == "" {
			sc.Status, sc.Reason = StatusError, "not run: the runtime check stopped before it"
		}
	}
}

// verdict sums up the scenarios.
func verdict(res *Result) string {
	by := map[string]*Scenario{}
	for i := range res.Scenarios {
		by[res.Scenarios[i].Name] = &res.Scenarios[i]
	}
	if res.MigrationError != "" {
		return StatusError
	}
	if BaselineBroken(by[ScenarioBaseline].Status, by[ScenarioBaseline].Tests) {
		return "baseline broken"
	}
	for _, n := range []string{ScenarioCompat, ScenarioDeploy, ScenarioContractReady} {
		if s := by[n]; s.Status == StatusFail || s.Status == StatusError {
			return StatusFail
		}
	}
	return StatusPass
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
				c.runScenario(ctx, j)
				return nil
			})
			if err != nil {
				j.sc.Status, j.sc.Reason = StatusError, err.Error()
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
