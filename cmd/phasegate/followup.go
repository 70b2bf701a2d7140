package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/phasegate/phasegate/internal/action"
	"github.com/phasegate/phasegate/internal/config"
	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/followup"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/github"
	"github.com/phasegate/phasegate/internal/lint"
	"github.com/phasegate/phasegate/internal/source"
)

// runFollowup opens the follow-up pull requests of deferred contract
// migrations whose release condition holds. It is meant for a schedule:
// workflow (and workflow_dispatch).
func runFollowup(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("followup")
	repoDir := fs.String("repo", ".", "a directory inside the repository (a checkout of the default branch with history and tags)")
	cfgPath := fs.String("config", "", "config file (default .github/phasegate.yml or phasegate.yml)")
	dryRun := fs.Bool("dry-run", false, "print the plan and write nothing; needs no token while no deferred migration is ready")
	force := fs.Bool("force", false, "open a new pull request also where an earlier one was closed without merge")
	repository := fs.String("repository", os.Getenv("GITHUB_REPOSITORY"), "owner/name on GitHub (default $GITHUB_REPOSITORY)")
	token := fs.String("github-token", "", "token with contents: write and pull-requests: write (default $INPUT_TOKEN, then $GITHUB_TOKEN); pull requests opened with GITHUB_TOKEN start no workflow, so use a GitHub App or fine-grained token")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 0, err
	}
	if err := noArguments(fs, pos, ""); err != nil {
		return 0, err
	}
	if *token == "" {
		*token = firstEnv("INPUT_TOKEN", "GITHUB_TOKEN")
	}
	if *token == "" && !*dryRun {
		return 0, fmt.Errorf("no token: pass --github-token or set GITHUB_TOKEN (phasegate followup --dry-run needs none until a migration is ready)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env, err := action.Detect(os.Getenv, stdout)
	if err != nil {
		return 0, err
	}
	if env != nil {
		env.Mask(*token)
	}
	repo, err := git.Open(*repoDir)
	if err != nil {
		return 0, err
	}
	cfg, err := config.Find(repo.Root, *cfgPath)
	if err != nil {
		return 0, err
	}
	minAge, snooze := cfg.FollowupMinAge(), cfg.FollowupSnooze()
	files, _, err := repo.WorkTreeFiles(ctx)
	if err != nil {
		return 0, err
	}
	fsys := os.DirFS(repo.Root)
	format, dir, err := lint.Locate(fsys, files, cfg.Migrations.Dir, cfg.Migrations.Format)
	if err == nil {
		// A wrong migrations.format finds no deferred migration either:
		// it must not look like nothing to do.
		if ms, lerr := format.List(fsys, dir); lerr == nil && len(ms) == 0 {
			err = source.NoMigrations(fsys, dir, format)
		}
	}
	if err != nil {
		return 0, explainFormat(err, cfg, "")
	}
	format = sourceSettings(cfg).Apply(format)
	deferredDir := cfg.Migrations.DeferredDir
	if deferredDir == "" {
		deferredDir = deferred.Dir(format.Name(), dir)
	}
	base := cfg.Followup.Base
	if base == "" {
		base = strings.TrimPrefix(defaultBase(ctx, repo), "origin/")
	}
	gopts := github.Options{Token: *token, APIURL: os.Getenv("GITHUB_API_URL"), Repository: *repository}
	if *token == "" {
		// A dry run without a token plans what needs no GitHub call (the
		// migrations still waiting for a release) and names the call it
		// could not make.
		nt := noToken{log: stderr}
		if gopts.Repository == "" {
			gopts.Repository, nt.noRepository = "OWNER/REPOSITORY", true
		}
		gopts.HTTPClient = &http.Client{Transport: nt}
	}
	client, err := github.New(gopts)
	if err != nil {
		return 0, err
	}
	opts := followup.Options{
		Repo: repo, Client: client, Base: base, Format: format, Dir: dir, DeferredDir: deferredDir,
		TagPattern: cfg.Releases.TagPattern, MinAge: minAge, Labels: cfg.Followup.Labels,
		Reviewers: cfg.Followup.Reviewers, TeamReviewers: cfg.Followup.TeamReviewers, BranchPrefix: cfg.Followup.BranchPrefix,
		DryRun: *dryRun, Force: *force, Log: stderr, Python: cfg.Migrations.Python,
	}
	// A dry run neither reads nor writes the dashboard.
	var outcomes []followup.Outcome
	var dash followup.DashboardResult
	var dashErr error
	if *dryRun || cfg.Followup.Dashboard != nil && !*cfg.Followup.Dashboard {
		outcomes, err = followup.Run(ctx, opts)
	} else {
		outcomes, dash, err = followup.RunWithDashboard(ctx, opts, followup.DashboardOptions{Snooze: snooze})
		if err != nil && outcomes != nil {
			dashErr, err = err, nil
		}
	}
	if err != nil {
		return 0, err
	}
	fmt.Fprint(stdout, followup.Text(outcomes, *dryRun))
	for _, a := range dash.Acted {
		fmt.Fprintf(stdout, "dashboard request: %s\n", a)
	}
	if dash.Action != "" {
		fmt.Fprintf(stdout, "dashboard: %s %s\n", dash.Action, dash.URL)
	}
	if env != nil {
		env.Summary(followup.Markdown(outcomes, *dryRun))
	}
	if github.IsPermission(dashErr) {
		msg := fmt.Sprintf("phasegate followup: the contract-debt dashboard is not kept: %v (or turn it off: followup.dashboard: false)", dashErr)
		if env != nil {
			env.Warning("%s", msg)
		} else {
			fmt.Fprintln(stderr, msg)
		}
	} else if dashErr != nil {
		return 0, dashErr
	}
	for _, o := range outcomes {
		if o.Action == "error" {
			return exitFindings, nil
		}
	}
	return exitOK, nil
}

// noToken is the transport of a dry run without a token: it refuses every
// GitHub API call, and says which on stderr (a failed call whose result
// the bot can do without, the list of releases, leaves no other trace).
type noToken struct {
	log          io.Writer
	noRepository bool // --repository is missing too
}

func (n noToken) RoundTrip(req *http.Request) (*http.Response, error) {
	fmt.Fprintf(n.log, "phasegate followup: --dry-run without a token: GitHub was not asked (%s %s)\n", req.Method, req.URL.Path)
	if n.noRepository {
		return nil, errors.New("this call needs a GitHub token and the repository: pass --github-token and --repository OWNER/NAME (or set GITHUB_TOKEN and GITHUB_REPOSITORY)")
	}
	return nil, errors.New("this call needs a GitHub token: pass --github-token or set GITHUB_TOKEN")
}
