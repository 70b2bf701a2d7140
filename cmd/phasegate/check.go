package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"syscall"
	"time"

	"github.com/phasegate/phasegate/internal/action"
	"github.com/phasegate/phasegate/internal/checker"
	"github.com/phasegate/phasegate/internal/compat"
	"github.com/phasegate/phasegate/internal/config"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/lint"
	"github.com/phasegate/phasegate/internal/ormsql"
	"github.com/phasegate/phasegate/internal/report"
	"github.com/phasegate/phasegate/internal/source"
)

func runCheck(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("check")
	base := fs.String("base", "", "the revision the change is compared with (its merge base with the head); required")
	head := fs.String("head", "", "the revision to check (default: the work tree, uncommitted files included)")
	repoDir := fs.String("repo", ".", "a directory inside the git repository")
	cfgPath := fs.String("config", "", "config file (default: .github/phasegate.yml or phasegate.yml in the repository)")
	staticOnly := fs.Bool("static-only", false, "run only the static phase check, no database")
	format := fs.String("format", "text", "output format: text or json")
	pgVersion := fs.Int("pg-version", 0, "target PostgreSQL major version (overrides postgres.version)")
	var pgFlags postgresFlags
	pgFlags.register(fs, "")
	previous := fs.String("previous", "", "the release whose tests prove compatibility: merge-base, latest-tag or a revision (overrides previous)")
	jobs := fs.Int("jobs", runtime.NumCPU(), "scenarios run in parallel at most (default: the number of CPUs)")
	verbose := fs.Bool("verbose", false, "stream the test suites' output, prefixed by scenario")
	shard := fs.String("shard", "", "run the I-th of N slices of the test suite in each scenario (I/N, e.g. 2/4); phasegate merge combines the shards' reports")
	statsPath := fs.String("stats", "", "production's table sizes, written by phasegate stats (default: stats.file, then "+config.DefaultStatsFile+" when it exists)")
	var d delivery
	d.flags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 0, err
	}
	if err := noArguments(fs, pos, ": give the base revision as --base REF"); err != nil {
		return 0, err
	}
	d.format = *format
	if err := d.validate(); err != nil {
		return 0, err
	}
	var sh *report.Shard
	if *shard != "" {
		s, err := report.ParseShard(*shard)
		if err != nil {
			return 0, usagef("--shard: %v", err)
		}
		sh = &s
	}
	env, err := action.Detect(os.Getenv, stdout)
	if err != nil {
		return 0, err
	}
	if *base == "" && env != nil {
		if pr := env.PullRequest(); pr != nil {
			*base = pr.BaseSHA
		}
	}
	if *base == "" {
		return 0, usagef("--base is required (e.g. --base origin/main); in GitHub Actions it defaults to the pull request's base")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	repo, err := git.Open(*repoDir)
	if err != nil {
		return 0, err
	}
	cfg, err := config.Find(repo.Root, *cfgPath)
	if err != nil {
		return 0, err
	}
	opts, err := checkerOptions(cfg, *pgVersion)
	if err != nil {
		return 0, err
	}
	pgFlags.apply(cfg)
	d.suggestions = cfg.Suggestions == nil || *cfg.Suggestions
	timeout := cfg.TestsTimeout()
	if _, err := testsResults(cfg); err != nil {
		return 0, err
	}
	ropts, closeRender := renderOptions(cfg, opts.Version, stderr)
	defer closeRender()
	res, err := lint.Check(ctx, lint.Options{
		Repo: repo, Base: *base, Head: *head,
		Dir: cfg.Migrations.Dir, Format: cfg.Migrations.Format, DeferredDir: cfg.Migrations.DeferredDir,
		Checker: opts, Render: ropts, Source: sourceSettings(cfg),
	})
	if err != nil {
		return 0, err
	}
	closeRender()
	rep := report.FromChange(res, report.Options{PostgresVersion: opts.Version})
	rep.Shard = sh
	sizes, sopts, err := statsFor(repo.Root, cfg, *statsPath)
	if err != nil {
		return 0, err
	}
	rep.ApplyStats(sizes, sopts)
	if !*staticOnly && len(rep.Errors) == 0 {
		if *previous != "" {
			cfg.Previous = *previous
		}
		err := runtimeCheck(ctx, repo, cfg, opts, ropts, res, rep, *base, *head, timeout, *jobs, *verbose, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "phasegate check: the runtime check did not finish: %v\nphasegate check: the report holds the static results and this error\n", err)
		}
	}
	if ctx.Err() != nil {
		// Interrupted: the report still goes everywhere it is asked for,
		// within a bounded time, and a second signal stops phasegate at
		// once.
		stop()
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), deliverAfterInterrupt)
		defer cancel()
	}
	return deliver(ctx, rep, d, env, stdout, stderr)
}

// deliverAfterInterrupt bounds the delivery of the report (the pull
// request comment) after SIGINT or SIGTERM: GitHub Actions kills a
// cancelled step about ten seconds after its first signal.
const deliverAfterInterrupt = 7 * time.Second

// testsResults reads tests.results and tests.rerun (default 1).
func testsResults(cfg *config.Config) (compat.Results, error) {
	r, err := compat.ParseResults(cfg.Tests.Results)
	if err != nil {
		return r, fmt.Errorf("%s: %w", cfg.Path, err)
	}
	r.Rerun = 1
	if cfg.Tests.Rerun != nil {
		if *cfg.Tests.Rerun < 0 {
			return r, fmt.Errorf("%s: tests.rerun %d: give how many times to rerun the failing tests, 0 or more", cfg.Path, *cfg.Tests.Rerun)
		}
		r.Rerun = *cfg.Tests.Rerun
	}
	return r, nil
}

// renderDatabases starts PostgreSQL (or connects to postgres.url) the
// first time an ORM needs a database to render its migrations (Django),
// and gives it a new empty database each time.
type renderDatabases struct {
	cfg     *config.Config
	version int
	log     io.Writer
	srv     *compat.Server
	n       int
}

func (r *renderDatabases) create(ctx context.Context) (string, error) {
	if r.srv == nil {
		var err error
		compat.LogDocker(nil)
		if r.cfg.Postgres.URL != "" {
			r.srv, err = compat.Connect(ctx, r.cfg.Postgres.URL)
		} else {
			image := r.cfg.Postgres.Image
			if image == "" {
				image = fmt.Sprintf("postgres:%d", r.version)
			}
			if r.log != nil {
				fmt.Fprintf(r.log, "phasegate: starting PostgreSQL (%s): the migrations' SQL is taken on a live database (django, capture)\n", image)
			}
			r.srv, err = compat.StartContainer(ctx, compat.ContainerOptions{Image: image, Pull: r.cfg.Postgres.Pull == nil || *r.cfg.Postgres.Pull})
		}
		if err != nil {
			return "", err
		}
	}
	r.n++
	db, err := r.srv.Create(ctx, fmt.Sprintf("render%d", r.n), nil)
	if err != nil {
		return "", err
	}
	return db.URL(), nil
}

func (r *renderDatabases) close() {
	if r.srv != nil {
		r.srv.Close()
		r.srv = nil
	}
}

// runtimeCheck runs the previous release's tests against the migrated
// schema and adds the results to the report. When the check cannot run or
// does not finish (no Docker, a server that refuses, an interrupt), the
// report says why beside the static results, which stand, and the error
// is returned too.
func runtimeCheck(ctx context.Context, repo *git.Repo, cfg *config.Config, opts checker.Options, ropts lint.RenderOptions, res *lint.Result, rep *report.Report,
	base, head string, timeout time.Duration, jobs int, verbose bool, stderr io.Writer) error {
	label := ""
	failed := func(err error) error {
		rep.AddRuntime(&compat.Result{Verdict: compat.Error, Error: err.Error()}, label, opts)
		return err
	}
	format, err := sourceSettings(cfg).Lookup(res.Format)
	if err != nil {
		return failed(err)
	}
	prev, label, err := compat.ResolvePrevious(ctx, repo, cfg.Previous, res.BaseCommit, base, cfg.Releases.TagPattern)
	if err != nil {
		return failed(err)
	}
	image := cfg.Postgres.Image
	if image == "" {
		image = fmt.Sprintf("postgres:%d", opts.Version)
	}
	pull := cfg.Postgres.Pull == nil || *cfg.Postgres.Pull
	results, err := testsResults(cfg)
	if err != nil {
		return failed(err)
	}
	var env []string
	for k, v := range cfg.Tests.Env {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	var stream io.Writer
	if verbose {
		stream = stderr
		compat.LogDocker(stderr)
	} else {
		compat.LogDocker(nil)
	}
	headCommit := ""
	if head != "" {
		headCommit = res.HeadCommit
	}
	var judged []compat.JudgedStatement
	for _, f := range res.Files {
		if f.Deferred {
			continue
		}
		for _, s := range f.Statements {
			judged = append(judged, compat.JudgedStatement{Path: f.Migration.Path, Line: s.Pos.Line, SQL: s.SQL})
		}
	}
	rt, err := compat.Run(ctx, compat.Options{
		Repo: repo, Previous: prev, Head: headCommit,
		Format: format, Dir: res.Dir, DeferredDir: res.DeferredDir,
		URL: cfg.Postgres.URL, Image: image, Pull: pull,
		MigrateCommand: cfg.Migrate.Command, Judged: judged, Render: renderer(repo, format, res, headCommit, ropts),
		TestDatabase: djangoTestDatabase(format, res.Dir, ropts),
		Runner:       compat.Runner{LockTimeout: cfg.Migrate.LockTimeout, StatementTimeout: cfg.Migrate.StatementTimeout},
		TestCommand:  cfg.Tests.Command, Results: results, Record: cfg.Tests.Record == nil || *cfg.Tests.Record, TestEnv: env, EnvNames: cfg.Tests.EnvNames, Off: scenariosOff(cfg), Shard: shardOf(rep),
		Timeout: timeout, Jobs: jobs, Verbose: stream, Log: stderr,
	})
	rep.AddRuntime(rt, label, opts) // with err, what ran before it and why it stopped
	return err
}

// renderer gives the runtime check the SQL of an ORM's migrations: what
// the static check rendered for the base and the head, or, for another
// previous release, a rendering of its own on the runtime check's server.
func renderer(repo *git.Repo, format source.Format, res *lint.Result, headCommit string, ropts lint.RenderOptions) func(context.Context, string, func(context.Context) (string, error)) (*compat.Rendering, error) {
	return func(ctx context.Context, rev string, database func(context.Context) (string, error)) (*compat.Rendering, error) {
		r := res.BaseRendering
		switch {
		case rev == headCommit && res.HeadRendering != nil:
			r = res.HeadRendering
		case rev != res.BaseCommit || r == nil:
			ro := ropts
			ro.Database = database
			var err error
			if r, err = lint.RenderAt(ctx, repo, rev, format, res.Dir, res.DeferredDir, ro); err != nil {
				return nil, err
			}
		}
		return &compat.Rendering{FS: r.SQL(), Migrations: r.Migrations, Line: r.Line}, nil
	}
}

// djangoTestDatabase names the database Django's test runner tests on, for
// a Django project (nil for the other formats): each scenario's migrated
// database is cloned under that name, for manage.py test --keepdb.
func djangoTestDatabase(format source.Format, dir string, ropts lint.RenderOptions) func(context.Context, string, []string) (string, error) {
	if _, ok := format.(source.Django); !ok {
		return nil
	}
	d := ormsql.Django{Python: ropts.Python, Settings: ropts.DjangoSettings}
	return func(ctx context.Context, checkout string, env []string) (string, error) {
		return d.TestDatabase(ctx, filepath.Join(checkout, filepath.FromSlash(dir)), env)
	}
}

// shardOf is the report's shard as the runtime check takes it.
func shardOf(rep *report.Report) compat.Shard {
	if rep.Shard == nil {
		return compat.Shard{}
	}
	return compat.Shard{Index: rep.Shard.Index, Total: rep.Shard.Total}
}

// scenariosOff names the scenarios tests.scenarios turns off.
func scenariosOff(cfg *config.Config) map[string]bool {
	off := map[string]bool{}
	for name, on := range cfg.Tests.Scenarios {
		if !on {
			off[name] = true
		}
	}
	return off
}

func write(w io.Writer, format string, rep *report.Report) error {
	if format == "json" {
		return report.JSON(w, rep)
	}
	return report.Text(w, rep, report.TextOptions{Color: colorOK(w)})
}
