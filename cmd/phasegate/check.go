package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
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

// checkOptions are phasegate check's flags, parsed (cli/cli's Options):
// runCheck parses them, checkRun wires the packages that do the work.
type checkOptions struct {
	base, head, repoDir, configPath string
	staticOnly                      bool
	pgVersion                       int
	postgres                        postgresFlags
	previous                        string
	jobs                            int
	verbose                         bool
	shard                           *report.Shard
	statsPath                       string
	delivery                        delivery
}

func runCheck(args []string, stdout, stderr io.Writer) (int, error) {
	var o checkOptions
	fs := newFlagSet("check")
	fs.StringVar(&o.base, "base", "", "the revision the change is compared with (its merge base with the head); required")
	fs.StringVar(&o.head, "head", "", "the revision to check (default: the work tree, uncommitted files included)")
	fs.StringVar(&o.repoDir, "repo", ".", "a directory inside the git repository")
	fs.StringVar(&o.configPath, "config", "", "config file (default: .github/phasegate.yml or phasegate.yml in the repository)")
	fs.BoolVar(&o.staticOnly, "static-only", false, "run only the static phase check, no database")
	fs.StringVar(&o.delivery.format, "format", "text", "output format: text or json")
	fs.IntVar(&o.pgVersion, "pg-version", 0, "target PostgreSQL major version (overrides postgres.version)")
	o.postgres.register(fs, "")
	fs.StringVar(&o.previous, "previous", "", "the release whose tests prove compatibility: merge-base, latest-tag or a revision (overrides previous)")
	fs.IntVar(&o.jobs, "jobs", runtime.NumCPU(), "scenarios run in parallel at most (default: the number of CPUs)")
	fs.BoolVar(&o.verbose, "verbose", false, "stream the test suites' output, prefixed by scenario")
	shard := fs.String("shard", "", "run the I-th of N slices of the test suite in each scenario (I/N, e.g. 2/4); phasegate merge combines the shards' reports")
	fs.StringVar(&o.statsPath, "stats", "", "production's table sizes, written by phasegate stats (default: stats.file, then "+config.DefaultStatsFile+" when it exists)")
	o.delivery.flags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 0, err
	}
	if err := noArguments(fs, pos, ": give the base revision as --base REF"); err != nil {
		return 0, err
	}
	if err := o.delivery.validate(); err != nil {
		return 0, err
	}
	if o.jobs < 1 {
		return 0, usagef("--jobs must be 1 or more, not %d: it is how many scenarios run at once", o.jobs)
	}
	if *shard != "" {
		s, err := report.ParseShard(*shard)
		if err != nil {
			return 0, usagef("--shard: %v", err)
		}
		o.shard = &s
	}
	return checkRun(o, stdout, stderr)
}

// checkRun runs the static check, then the runtime check unless
// --static-only or the static check found errors, and delivers the
// report. In GitHub Actions the base defaults to the pull request's.
func checkRun(o checkOptions, stdout, stderr io.Writer) (int, error) {
	env, err := action.Detect(os.Getenv, stdout)
	if err != nil {
		return 0, err
	}
	if o.base == "" && env != nil {
		if pr := env.PullRequest(); pr != nil {
			o.base = pr.BaseSHA
		}
	}
	if o.base == "" {
		return 0, usagef("--base is required (e.g. --base origin/main); in GitHub Actions it defaults to the pull request's base")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	repo, err := git.OpenChange(ctx, o.repoDir, o.base, lint.HeadRev(o.head))
	if err != nil {
		return 0, err
	}
	cfg, err := config.Find(repo.Root, o.configPath)
	if err != nil {
		return 0, err
	}
	opts, err := checkerOptions(cfg, o.pgVersion)
	if err != nil {
		return 0, err
	}
	o.postgres.apply(cfg)
	d := o.delivery
	d.suggestions = cfg.Suggest()
	rt, err := cfg.Resolve(opts.Version)
	if err != nil {
		return 0, err
	}
	if o.previous != "" {
		rt.Previous = o.previous
	}
	copts, err := compat.FromConfig(rt)
	if err != nil {
		return 0, err
	}
	copts.Jobs, copts.Log = o.jobs, stderr
	if o.verbose {
		copts.Verbose = stderr
	}
	ropts, closeRender := renderOptions(cfg, opts.Version, stderr, renderHint)
	defer closeRender()
	res, err := lint.Check(ctx, lint.Options{
		Repo: repo, Base: o.base, Head: o.head,
		Dir: cfg.Migrations.Dir, Format: cfg.Migrations.Format, DeferredDir: cfg.Migrations.DeferredDir,
		Checker: opts, Render: ropts, Source: sourceSettings(cfg),
	})
	if err != nil {
		return 0, explainFormat(err, cfg, "")
	}
	closeRender()
	rep := report.FromChange(res, report.Options{PostgresVersion: opts.Version})
	rep.Shard = o.shard
	sizes, sopts, err := statsFor(repo.Root, cfg, o.statsPath)
	if err != nil {
		return 0, err
	}
	rep.ApplyStats(sizes, sopts)
	if !o.staticOnly && len(rep.Errors) == 0 {
		err := runtimeCheck(ctx, repo, rt, copts, sourceSettings(cfg), opts, ropts, res, rep, o.base, o.head)
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

// renderHint ends check's error when the PostgreSQL that Django and
// capture take the migrations' SQL on does not start: --static-only,
// which the runtime check's errors offer, does not do without it.
const renderHint = "; --static-only does not do without it: the static check takes these migrations' SQL on a live database"

// deliverAfterInterrupt bounds the delivery of the report (the pull
// request comment) after SIGINT or SIGTERM: GitHub Actions kills a
// cancelled step about ten seconds after its first signal.
const deliverAfterInterrupt = 7 * time.Second

// runtimeCheck runs the previous release's tests against the migrated
// schema and adds the results to the report. copts holds what the config
// and the flags set (compat.FromConfig); runtimeCheck adds the versions
// and the migrations the static check found. When the check cannot run or
// does not finish (no Docker, a server that refuses, an interrupt), the
// report says why beside the static results, which stand, and the error
// is returned too.
func runtimeCheck(ctx context.Context, repo *git.Repo, rt config.Runtime, copts compat.Options, settings source.Settings, opts checker.Options, ropts lint.RenderOptions, res *lint.Result, rep *report.Report,
	base, head string) error {
	label := ""
	failed := func(err error) error {
		rep.AddRuntime(&compat.Result{Verdict: compat.StatusError, Error: err.Error()}, label, opts)
		return err
	}
	format, err := settings.Lookup(res.Format)
	if err != nil {
		return failed(err)
	}
	prev, label, err := compat.ResolvePrevious(ctx, repo, rt.Previous, res.BaseCommit, base, rt.TagPattern)
	if err != nil {
		return failed(err)
	}
	compat.LogDocker(copts.Verbose)
	headCommit := ""
	if head != "" {
		headCommit = res.HeadCommit
	}
	copts.Repo, copts.Previous, copts.Head = repo, prev, headCommit
	copts.Format, copts.Dir, copts.DeferredDir = format, res.Dir, res.DeferredDir
	copts.Judged = compat.Judge(res.Files)
	copts.Render = renderer(repo, format, res, headCommit, ropts)
	copts.TestDatabase = djangoTestDatabase(format, res.Dir, ropts)
	copts.Shard = shardOf(rep)
	result, err := compat.Run(ctx, copts)
	rep.AddRuntime(result, label, opts) // with err, what ran before it and why it stopped
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

func write(w io.Writer, format string, rep *report.Report) error {
	if format == "json" {
		return report.JSON(w, rep)
	}
	return report.Text(w, rep, report.TextOptions{Color: colorOK(w)})
}
