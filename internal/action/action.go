// Package action is phasegate's side of the GitHub Actions runtime, over
// go-githubactions: the event that triggered the run, inputs, outputs,
// annotations on each finding, masking, and the job summary. Outside
// GitHub Actions, Detect returns nil and phasegate is a plain CLI.
package action

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/phasegate/phasegate/internal/github"
	"github.com/phasegate/phasegate/internal/report"
)

// Env is one GitHub Actions run.
type Env struct {
	a      *githubactions.Action
	getenv func(string) string
	Ctx    *githubactions.GitHubContext
}

// Detect returns the Actions environment when GITHUB_ACTIONS is true, and
// nil otherwise. getenv and w are os.Getenv and os.Stdout outside tests.
func Detect(getenv func(string) string, w io.Writer) (*Env, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv("GITHUB_ACTIONS") != "true" {
		return nil, nil
	}
	a := githubactions.New(githubactions.WithGetenv(getenv), githubactions.WithWriter(w))
	ctx, err := a.Context()
	if err != nil {
		return nil, fmt.Errorf("read the GitHub Actions context (GITHUB_EVENT_PATH): %w", err)
	}
	return &Env{a: a, getenv: getenv, Ctx: ctx}, nil
}

// Input returns an action input (INPUT_<NAME>).
func (e *Env) Input(name string) string { return e.a.GetInput(name) }

// Mask hides a secret in the log from here on.
func (e *Env) Mask(secret string) {
	if secret != "" {
		e.a.AddMask(secret)
	}
}

// PullRequest is the pull request of a pull_request (or pull_request_target)
// event.
type PullRequest struct {
	Number  int
	BaseSHA string
	BaseRef string
	HeadSHA string
	// Fork is set when the head repository is not the base repository:
	// the token is read-only then.
	Fork bool
}

// PullRequest returns the event's pull request, or nil for other events.
func (e *Env) PullRequest() *PullRequest {
	pr, ok := e.Ctx.Event["pull_request"].(map[string]any)
	if !ok {
		return nil
	}
	out := &PullRequest{Number: toInt(pr["number"])}
	if base, ok := pr["base"].(map[string]any); ok {
		out.BaseSHA, _ = base["sha"].(string)
		out.BaseRef, _ = base["ref"].(string)
	}
	var headRepo, baseRepo string
	if head, ok := pr["head"].(map[string]any); ok {
		out.HeadSHA, _ = head["sha"].(string)
		if r, ok := head["repo"].(map[string]any); ok {
			headRepo, _ = r["full_name"].(string)
		}
	}
	if base, ok := pr["base"].(map[string]any); ok {
		if r, ok := base["repo"].(map[string]any); ok {
			baseRepo, _ = r["full_name"].(string)
		}
	}
	out.Fork = headRepo != "" && baseRepo != "" && headRepo != baseRepo
	return out
}

func toInt(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case string:
		i, _ := strconv.Atoi(n)
		return i
	}
	return 0
}

// Run identifies this workflow run, for the comment's run marker.
func (e *Env) Run() github.Run { return github.Run{ID: e.Ctx.RunID, Attempt: e.Ctx.RunAttempt} }

// Annotate writes one annotation per finding at its statement (error,
// warning or notice), so findings show on the pull request's diff, and
// one error annotation when the runtime check did not finish.
func (e *Env) Annotate(r *report.Report) {
	emit := func(path string, line, col, endLine int, f report.Finding) {
		fields := map[string]string{"file": path, "title": "phasegate " + f.Rule}
		if line > 0 {
			fields["line"] = strconv.Itoa(line)
			fields["col"] = strconv.Itoa(col)
			if endLine > line {
				fields["endLine"] = strconv.Itoa(endLine)
			}
		}
		msg := f.Message
		if f.Fix != "" {
			msg += "\nFix: " + f.Fix
		}
		a := e.a.WithFieldsMap(fields)
		switch f.Severity {
		case "error":
			a.Errorf("%s", msg)
		case "warning":
			a.Warningf("%s", msg)
		default:
			a.Noticef("%s", msg)
		}
	}
	for _, err := range r.Errors {
		emit(err.Path, err.Line, err.Column, 0, report.Finding{Rule: "parse-error", Severity: "error", Message: err.Message})
	}
	if rt := r.Runtime; rt != nil && rt.Error != "" {
		// Not tied to a file: an annotation of the run.
		e.a.WithFieldsMap(map[string]string{"title": "phasegate runtime check"}).
			Errorf("the runtime check did not finish: %s\n%s", rt.Error, report.RuntimeErrorHelp)
	}
	for _, f := range r.Files {
		for _, fd := range f.Findings {
			emit(f.Path, fd.Line, fd.Column, 0, fd)
		}
		for _, st := range f.Statements {
			for _, fd := range st.Findings {
				if fd.Line > 0 {
					emit(f.Path, fd.Line, fd.Column, 0, fd)
				} else {
					emit(f.Path, st.Line, st.Column, st.EndLine, fd)
				}
			}
		}
	}
}

// SetOutputs sets the action's outputs: result (pass or fail), the expand,
// contract and unknown counts, and report (the JSON report's path). When
// $GITHUB_OUTPUT is unset or cannot be written (a runner that does not
// provide it, a read-only file), it warns and goes on: the outputs are a
// convenience, the report itself is on standard output.
func (e *Env) SetOutputs(r *report.Report, result, reportPath string) {
	var b strings.Builder
	for _, kv := range [][2]string{
		{"result", result},
		{"expand", strconv.Itoa(r.Summary.Expand)},
		{"contract", strconv.Itoa(r.Summary.Contract)},
		{"unknown", strconv.Itoa(r.Summary.Unknown)},
		{"report", reportPath},
	} {
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", kv[0], delimiter, kv[1], delimiter)
	}
	if err := e.appendFile("GITHUB_OUTPUT", b.String()); err != nil {
		e.Warning("phasegate: the step outputs (result, expand, contract, unknown, report) are not set: %v", err)
	}
}

// Summary appends markdown to the job summary ($GITHUB_STEP_SUMMARY); when
// that file is unset or cannot be written, it warns and goes on.
func (e *Env) Summary(markdown string) {
	if err := e.appendFile("GITHUB_STEP_SUMMARY", markdown+"\n"); err != nil {
		e.Warning("phasegate: the job summary is not written: %v", err)
	}
}

// delimiter ends a multiline value in an environment file, as
// go-githubactions writes it.
const delimiter = "_GitHubActionsFileCommandDelimeter_"

// appendFile appends text to the environment file named by the variable
// (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY). go-githubactions panics when it
// cannot; phasegate reports an error instead.
func (e *Env) appendFile(variable, text string) error {
	path := e.getenv(variable)
	if path == "" {
		return fmt.Errorf("$%s is not set (GitHub Actions sets it for every step; outside a runner, unset GITHUB_ACTIONS)", variable)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("$%s: %w", variable, err)
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("$%s: write %s: %w", variable, path, err)
	}
	return nil
}

// Notice writes a notice to the log.
func (e *Env) Notice(format string, args ...any) { e.a.Noticef(format, args...) }

// Warning writes a warning to the log.
func (e *Env) Warning(format string, args ...any) { e.a.Warningf(format, args...) }
