package compat

import (
	"context"
	"fmt"
	"io"
	"time"
)

// testHookScenario, when set by tests, runs at the start of each scenario.
var testHookScenario func(name string)

// runScenario runs one scenario's suite on its database, in its
// checkout, and judges it: by the exit status, or test by test with
// tests.results (rerunning the failing tests on a fresh copy).
func runScenario(ctx context.Context, opts Options, srv *Server, sc *Scenario, db, tmpl *Database, dir string, prep func(context.Context, *Database) error, rec *recording, secrets []string, changes []Change) {
	start := time.Now()
	defer func() { sc.Duration = time.Since(start) }()
	if testHookScenario != nil {
		testHookScenario(sc.Name)
	}
	if err := prep(ctx, db); err != nil {
		sc.Status, sc.Reason = Error, err.Error()
		return
	}
	if opts.TestCommand == "" {
		sc.Status, sc.Reason = Skipped, "tests.command is not set: the migrations applied, but no test suite ran against them"
		return
	}
	script, empty, err := opts.Shard.command(ctx, opts.TestCommand, dir)
	switch {
	case err != nil:
		sc.Status, sc.Reason = Error, err.Error()
		return
	case empty:
		sc.Status, sc.Reason = Skipped, fmt.Sprintf("shard %d/%d has no Go package to test", opts.Shard.Index, opts.Shard.Total)
		return
	}
	sc.Command = script
	// suite runs the command once on a database (through the recording
	// proxy when there is one).
	suite := func(db *Database, rec *recording, prefix string) suiteRun {
		return func(stdout io.Writer) (Outcome, error) {
			env := append(append(append([]string{}, opts.TestEnv...), rec.env(db, opts.EnvNames)...), opts.Shard.env()...)
			done, err := testDatabase(ctx, opts, srv, db, dir, env)
			if err != nil {
				return Outcome{}, err
			}
			defer done()
			return Command{
				Script: script, Dir: dir, Env: env, Stdout: stdout,
				Timeout: opts.Timeout, Stream: opts.Verbose, Prefix: prefix, Secrets: secrets,
			}.Run(ctx), nil
		}
	}
	fmt.Fprintf(opts.Log, "phasegate: %s: running %q (%s)\n", sc.Name, script, sc.Version)
	out, tests, unread, err := opts.Results.runOnce(dir, suite(db, rec, "["+sc.Name+"] "))
	if err != nil {
		sc.Status, sc.Reason = Error, err.Error()
		return
	}
	sc.OutputTail, sc.tail = lastLines(out.Tail, 80), out.Tail
	if opts.Results.Format == GoJSON {
		sc.OutputTail = lastLines(plainGoTest(out.Tail), 80)
	}
	switch {
	case out.Err != nil:
		sc.Status, sc.Reason = Error, "the test command "+out.Err.Error()
	case out.ExitCode == 127:
		sc.Status, sc.Reason = Error, "the test command was not found (exit status 127): check tests.command"
	case out.ExitCode != 0:
		sc.Status, sc.Reason = Fail, fmt.Sprintf("the test command exited with status %d", out.ExitCode)
		if sc.Name == Compat {
			sc.Implicated = Implicated(changes, out.Tail)
		}
	default:
		sc.Status = Pass
	}
	opts.Results.judge(sc, tests, unread, func(n int) (outcomes, error) {
		// A fresh copy of the scenario's database: the first run's rows
		// must not fail the rerun. Not recorded: the proof is the first run's.
		fmt.Fprintf(opts.Log, "phasegate: %s: some tests failed: rerun %d of %q\n", sc.Name, n, script)
		again, err := srv.Create(ctx, fmt.Sprintf("%s_rerun%d", sc.Name, n), tmpl)
		if err != nil {
			return nil, err
		}
		defer srv.Drop(context.WithoutCancel(ctx), again)
		if err := prep(ctx, again); err != nil {
			return nil, err
		}
		out, tests, unread, err := opts.Results.runOnce(dir, suite(again, nil, fmt.Sprintf("[%s rerun %d] ", sc.Name, n)))
		switch {
		case err != nil:
			return nil, err
		case out.Err != nil:
			return nil, fmt.Errorf("the test command %s", out.Err)
		case unread != nil:
			return nil, unread
		}
		return tests, nil
	})
}

// stop records the error that ended the check early: the verdict is
// error, and each scenario that did not finish says it did not run.
func (res *Result) stop(err error) {
	res.Verdict, res.Error = Error, err.Error()
	for i := range res.Scenarios {
		if sc := &res.Scenarios[i]; sc.Status == "" {
			sc.Status, sc.Reason = Error, "not run: the runtime check stopped before it"
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
		return Error
	}
	if BaselineBroken(by[Baseline].Status, by[Baseline].Tests) {
		return "baseline broken"
	}
	for _, n := range []string{Compat, Deploy, ContractReady} {
		if s := by[n]; s.Status == Fail || s.Status == Error {
			return Fail
		}
	}
	return Pass
}
