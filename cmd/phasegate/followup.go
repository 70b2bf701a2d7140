package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/phasegate/phasegate/action"
	"github.com/phasegate/phasegate/change"
	"github.com/phasegate/phasegate/config"
	"github.com/phasegate/phasegate/deferred"
	"github.com/phasegate/phasegate/followup"
	"github.com/phasegate/phasegate/git"
	"github.com/phasegate/phasegate/github"
)

// runFollowup opens the follow-up pull requests of deferred contract
// migrations whose release condition holds. It is meant for a schedule:
// workflow (and workflow_dispatch).
func runFollowup(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("followup")
	repoDir := fs.String("repo", ".", "a directory inside the repository (a checkout of the default branch with history and tags)")
	cfgPath := fs.String("config", "", "config file (default .github/phasegate.yml or phasegate.yml)")
	dryRun := fs.Bool("dry-run", false, "print the plan and write nothing")
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
	if *token == "" {
		return 0, fmt.Errorf("no token: pass --github-token or set GITHUB_TOKEN")
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
	minAge := 24 * time.Hour
	if cfg.Followup.MinAge != "" {
		if minAge, err = time.ParseDuration(cfg.Followup.MinAge); err != nil || minAge < 0 {
			return 0, fmt.Errorf("%s: followup.min_age %q: give a duration such as 24h", cfg.Path, cfg.Followup.MinAge)
		}
	}
	files, err := repo.WorkTreeFiles(ctx)
	if err != nil {
		return 0, err
	}
	format, dir, err := change.Locate(os.DirFS(repo.Root), files, cfg.Migrations.Dir, cfg.Migrations.Format)
	if err != nil {
		return 0, err
	}
	deferredDir := cfg.Migrations.DeferredDir
	if deferredDir == "" {
		deferredDir = deferred.Dir(format.Name(), dir)
	}
	base := cfg.Followup.Base
	if base == "" {
		base = strings.TrimPrefix(defaultBase(ctx, repo), "origin/")
	}
	client, err := github.New(github.Options{Token: *token, APIURL: os.Getenv("GITHUB_API_URL"), Repository: *repository})
	if err != nil {
		return 0, err
	}
	outcomes, err := followup.Run(ctx, followup.Options{
		Repo: repo, Client: client, Base: base, Format: format, Dir: dir, DeferredDir: deferredDir,
		TagPattern: cfg.Releases.TagPattern, MinAge: minAge, Labels: cfg.Followup.Labels,
		Reviewers: cfg.Followup.Reviewers, TeamReviewers: cfg.Followup.TeamReviewers, BranchPrefix: cfg.Followup.BranchPrefix,
		DryRun: *dryRun, Force: *force, Log: stderr,
	})
	if err != nil {
		return 0, err
	}
	fmt.Fprint(stdout, followup.Text(outcomes, *dryRun))
	if env != nil {
		env.Summary(followup.Markdown(outcomes, *dryRun))
	}
	for _, o := range outcomes {
		if o.Action == "error" {
			return exitFindings, nil
		}
	}
	return exitOK, nil
}
