package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/phasegate/phasegate/change"
	"github.com/phasegate/phasegate/config"
	"github.com/phasegate/phasegate/git"
	"github.com/phasegate/phasegate/report"
)

func runCheck(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base", "", "the revision the change is compared with (its merge base with the head); required")
	head := fs.String("head", "", "the revision to check (default: the work tree, uncommitted files included)")
	repoDir := fs.String("repo", ".", "a directory inside the git repository")
	cfgPath := fs.String("config", "", "config file (default: .github/phasegate.yml or phasegate.yml in the repository)")
	staticOnly := fs.Bool("static-only", false, "run only the static phase check, no database")
	format := fs.String("format", "text", "output format: text or json")
	pgVersion := fs.Int("pg-version", 0, "target PostgreSQL major version (overrides postgres.version)")
	if _, err := parseInterspersed(fs, args); err != nil {
		return 0, err
	}
	if *base == "" {
		return 0, usagef("--base is required (e.g. --base origin/main)")
	}
	if *format != "text" && *format != "json" {
		return 0, usagef("--format must be text or json")
	}
	if !*staticOnly {
		return 0, usagef("the runtime compatibility check is not available yet; pass --static-only")
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
	res, err := change.Check(ctx, change.Options{
		Repo: repo, Base: *base, Head: *head,
		Dir: cfg.Migrations.Dir, Format: cfg.Migrations.Format,
		Checker: opts,
	})
	if err != nil {
		return 0, err
	}
	rep := report.FromChange(res, report.Options{PostgresVersion: opts.Version})
	if err := write(stdout, *format, rep); err != nil {
		return 0, fmt.Errorf("write report: %w", err)
	}
	return rep.ExitCode(), nil
}

func write(w io.Writer, format string, rep *report.Report) error {
	if format == "json" {
		return report.JSON(w, rep)
	}
	return report.Text(w, rep, report.TextOptions{Color: colorOK(w)})
}
