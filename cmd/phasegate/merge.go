package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/phasegate/phasegate/internal/action"
	"github.com/phasegate/phasegate/internal/config"
	"github.com/phasegate/phasegate/internal/report"
)

// runMerge combines the JSON reports of a sharded check (one per runner
// of a matrix job) into one report, and delivers it as check does: text
// or JSON on standard output, the files asked for, and in GitHub Actions
// the annotations, the job summary and the pull request comment.
func runMerge(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("merge")
	format := fs.String("format", "text", "output format: text or json")
	var d delivery
	d.flags(fs)
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return 0, err
	}
	if len(paths) == 0 {
		return 0, usagef("give the shards' JSON reports (--report-json of phasegate check --shard I/N)")
	}
	d.format = *format
	if err := d.validate(); err != nil {
		return 0, err
	}
	// The merge job runs in the checkout: its config says whether to post
	// the one-click fixes.
	cfg, err := config.Find(".", "")
	if err != nil {
		return 0, err
	}
	d.suggestions = cfg.Suggest()
	var reps []*report.Report
	for _, p := range paths {
		r, err := loadReport(p)
		if err != nil {
			return 0, err
		}
		reps = append(reps, r)
	}
	merged, err := report.Merge(reps)
	if err != nil {
		return 0, err
	}
	env, err := action.Detect(os.Getenv, stdout)
	if err != nil {
		return 0, err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return deliver(ctx, merged, d, env, stdout, stderr)
}
