package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/phasegate/phasegate/internal/action"
	"github.com/phasegate/phasegate/internal/github"
	"github.com/phasegate/phasegate/internal/report"
)

// delivery says where a report goes besides standard output.
type delivery struct {
	format     string // text or json, on standard output
	reportJSON string // --report-json
	sarif      string // --sarif
	comment    string // on, off, on-failure; "" = on in GitHub Actions, off elsewhere
	failOn     string // error, warning, never
	token      string
	pr         int // pull request number; 0 = from the event
	// suggestions posts the one-click fixes as a review (config
	// suggestions).
	suggestions bool
}

func (d *delivery) flags(fs flagSet) {
	fs.StringVar(&d.reportJSON, "report-json", "", "also write the JSON report to FILE (in GitHub Actions: default $RUNNER_TEMP/phasegate-report.json)")
	fs.StringVar(&d.sarif, "sarif", "", "also write the findings as SARIF 2.1.0 to FILE, for code scanning")
	fs.StringVar(&d.comment, "comment", "", "pull request comment: on, off or on-failure (default on in GitHub Actions)")
	fs.StringVar(&d.failOn, "fail-on", "error", "exit non-zero on: error (findings at error severity, a failed runtime check), warning (also warnings), never")
	fs.StringVar(&d.token, "github-token", "", "token for the pull request comment (default $INPUT_TOKEN, then $GITHUB_TOKEN)")
}

type flagSet interface {
	StringVar(p *string, name, value, usage string)
}

func (d *delivery) validate() error {
	switch d.comment {
	case "", "on", "off", "on-failure":
	default:
		return usagef("--comment must be on, off or on-failure")
	}
	switch d.failOn {
	case "error", "warning", "never":
	default:
		return usagef("--fail-on must be error, warning or never")
	}
	if d.format != "text" && d.format != "json" {
		return usagef("--format must be text or json")
	}
	return nil
}

// deliver writes the report everywhere it is asked for and returns the
// exit status.
func deliver(ctx context.Context, rep *report.Report, d delivery, env *action.Env, stdout, stderr io.Writer) (int, error) {
	if d.token == "" {
		d.token = firstEnv("INPUT_TOKEN", "GITHUB_TOKEN")
	}
	if env != nil {
		env.Mask(d.token)
		if d.reportJSON == "" {
			dir := os.Getenv("RUNNER_TEMP")
			if dir == "" {
				dir = os.TempDir()
			}
			d.reportJSON = filepath.Join(dir, "phasegate-report.json")
		}
		repo := env.Ctx.Repository
		rep.Context = &report.Context{Repository: repo, ServerURL: env.Ctx.ServerURL, HeadSHA: env.Ctx.SHA}
		if pr := env.PullRequest(); pr != nil {
			rep.Context.PullRequest, rep.Context.HeadSHA = pr.Number, pr.HeadSHA
		}
	}
	if d.reportJSON != "" {
		if err := writeFile(d.reportJSON, func(w io.Writer) error { return report.JSON(w, rep) }); err != nil {
			return 0, err
		}
	}
	if d.sarif != "" {
		if err := writeFile(d.sarif, func(w io.Writer) error { return report.SARIF(w, rep) }); err != nil {
			return 0, err
		}
	}
	code := exitCode(rep, d.failOn)
	if env != nil {
		env.Annotate(rep)
		result := "pass"
		if rep.Result == "fail" {
			result = "fail"
		}
		env.SetOutputs(rep, result, d.reportJSON)
		env.Summary(markdown(rep, false))
		if err := commentFromActions(ctx, rep, d, env, stderr); err != nil {
			return 0, err
		}
	}
	if err := write(stdout, d.format, rep); err != nil {
		return 0, fmt.Errorf("write report: %w", err)
	}
	return code, nil
}

// exitCode applies --fail-on to the report's own status.
func exitCode(rep *report.Report, failOn string) int {
	switch failOn {
	case "never":
		return exitOK
	case "warning":
		if code := rep.ExitCode(); code != 0 {
			return code
		}
		if rep.Summary.Warnings > 0 {
			return exitFindings
		}
		return exitOK
	}
	return rep.ExitCode()
}

// commentFromActions posts or updates the pull request comment, unless it
// is off, there is no pull request, or the token may not write (a fork's
// pull request): then the job summary and the JSON report carry the
// report, and a notice says how to comment from a workflow_run workflow.
func commentFromActions(ctx context.Context, rep *report.Report, d delivery, env *action.Env, stderr io.Writer) error {
	mode := d.comment
	if mode == "" {
		mode = "on"
	}
	pr := env.PullRequest()
	if mode == "off" || pr == nil && d.pr == 0 {
		return nil
	}
	number := d.pr
	if number == 0 {
		number = pr.Number
	}
	if pr != nil && pr.Fork {
		env.Notice("phasegate: pull request #%d comes from a fork, whose token is read-only: the report is in the job summary and in %s; to comment, add the workflow_run workflow of docs/workflows/phasegate-comment.yml", number, d.reportJSON)
		return nil
	}
	if d.token == "" {
		env.Warning("phasegate: no token to comment with: pass the action's token input (the default is the workflow's GITHUB_TOKEN)")
		return nil
	}
	client, err := github.New(github.Options{Token: d.token, APIURL: env.Ctx.APIURL, Repository: env.Ctx.Repository})
	if err != nil {
		return err
	}
	onlyIfExists := len(rep.Files) == 0 && len(rep.Errors) == 0 || mode == "on-failure" && rep.Result == "pass"
	res, err := client.UpsertComment(ctx, number, markdown(rep, true), env.Run(), onlyIfExists)
	if github.IsPermission(err) {
		env.Warning("phasegate: %v", err)
		return nil
	}
	if err != nil {
		return err
	}
	if res.Action != "none" {
		fmt.Fprintf(stderr, "phasegate: pull request comment %s: %s\n", res.Action, res.URL)
	}
	if d.suggestions && rep.Context != nil && rep.Context.HeadSHA != "" {
		if err := postSuggestions(ctx, client, rep, number, rep.Context.HeadSHA, env.Run(), stderr); err != nil {
			env.Warning("phasegate: the one-click fixes were not posted: %v", err)
		}
	}
	return nil
}

// markdown renders the report for the comment (with its marker) or the
// job summary.
func markdown(rep *report.Report, marker bool) string {
	opts := report.MarkdownOptions{Marker: marker, MaxBytes: 65000}
	if c := rep.Context; c != nil {
		opts.ServerURL, opts.Repo, opts.Commit = c.ServerURL, c.Repository, c.HeadSHA
	}
	var b bytes.Buffer
	report.Markdown(&b, rep, opts)
	return b.String()
}

func writeFile(path string, render func(io.Writer) error) error {
	var b bytes.Buffer
	if err := render(&b); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(os.Getenv(n)); v != "" {
			return v
		}
	}
	return ""
}

// loadReport reads a JSON report written by --report-json.
func loadReport(path string) (*report.Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rep report.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("%s is not a phasegate JSON report: %w", path, err)
	}
	if rep.Version != report.Version || rep.Tool != "phasegate" {
		return nil, fmt.Errorf("%s: report version %d of %q; this phasegate reads version %d", path, rep.Version, rep.Tool, report.Version)
	}
	return &rep, nil
}
