package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/phasegate/phasegate/internal/github"
)

// runComment posts a report made elsewhere (a pull_request run from a
// fork, whose token is read-only) as the pull request comment: it is meant
// for a workflow_run workflow, which has a write token but never runs the
// pull request's code.
func runComment(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newFlagSet("comment")
	reportPath := fs.String("report", "", "the JSON report (--report-json of phasegate check); required")
	pr := fs.Int("pr", 0, "the pull request number (default: the one the report names)")
	repo := fs.String("repository", "", "owner/name (default: the report's, then $GITHUB_REPOSITORY)")
	token := fs.String("github-token", "", "token with pull-requests: write (default $INPUT_TOKEN, then $GITHUB_TOKEN)")
	suggestions := fs.String("suggestions", "on", "post the report's one-click fixes as a review on the pull request's head: on or off")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 0, err
	}
	if err := noArguments(fs, pos, ": give the report as --report FILE"); err != nil {
		return 0, err
	}
	if *reportPath == "" {
		return 0, usagef("--report is required")
	}
	rep, err := loadReport(*reportPath)
	if err != nil {
		return 0, err
	}
	if *repo == "" && rep.Context != nil {
		*repo = rep.Context.Repository
	}
	if *repo == "" {
		*repo = os.Getenv("GITHUB_REPOSITORY")
	}
	if *pr == 0 && rep.Context != nil {
		*pr = rep.Context.PullRequest
	}
	if *pr <= 0 {
		return 0, usagef("--pr is required: the report names no pull request")
	}
	if *suggestions != "on" && *suggestions != "off" {
		return 0, usagef("--suggestions must be on or off")
	}
	if *token == "" {
		*token = firstEnv("INPUT_TOKEN", "GITHUB_TOKEN")
	}
	if *token == "" {
		return 0, fmt.Errorf("no token: pass --github-token or set GITHUB_TOKEN")
	}
	if os.Getenv("GITHUB_ACTIONS") == "true" {
		fmt.Fprintf(stdout, "::add-mask::%s\n", *token)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client, err := github.New(github.Options{Token: *token, APIURL: os.Getenv("GITHUB_API_URL"), Repository: *repo})
	if err != nil {
		return 0, err
	}
	runID, _ := strconv.ParseInt(os.Getenv("GITHUB_RUN_ID"), 10, 64)
	attempt, _ := strconv.ParseInt(os.Getenv("GITHUB_RUN_ATTEMPT"), 10, 64)
	onlyIfExists := len(rep.Files) == 0 && len(rep.Errors) == 0
	res, err := client.UpsertComment(ctx, *pr, markdown(rep, true), github.Run{ID: runID, Attempt: attempt}, onlyIfExists)
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(stderr, "phasegate: pull request #%d comment %s %s\n", *pr, res.Action, res.URL)
	if *suggestions == "on" && rep.Context != nil && rep.Context.HeadSHA != "" && rep.Context.PullRequest == *pr {
		run := github.Run{ID: runID, Attempt: attempt}
		if err := postSuggestions(ctx, client, rep, *pr, rep.Context.HeadSHA, run, stderr); err != nil {
			return 0, err
		}
	}
	return exitOK, nil
}
