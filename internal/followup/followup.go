// Package followup is the scheduled bot that carries deferred contract
// migrations through to the next release: for each deferred migration
// whose condition holds (a release containing it has shipped, a deployment
// succeeded, a date passed), it opens one pull request that moves it into
// the active migrations, with the next version of the format's naming
// scheme. It works through the Git Data API, so nothing is pushed from the
// runner, and it is idempotent: reruns update (rebase) the open pull
// request, never duplicate it, and repair what a failed run left.
package followup

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/git"
	"github.com/phasegate/phasegate/internal/github"
	"github.com/phasegate/phasegate/internal/source"
)

// Options configure a run.
type Options struct {
	// Repo is a checkout with the history and tags (fetch-depth: 0).
	Repo   *git.Repo
	Client *github.Client
	// Base is the default branch the pull requests target (main).
	Base string
	// Format, Dir and DeferredDir locate the migrations.
	Format      source.Format
	Dir         string
	DeferredDir string
	// TagPattern is the glob of release tags (v*); MinAge how long a
	// release or deployment must have been out (24h).
	TagPattern string
	MinAge     time.Duration
	// Labels go on every pull request (phasegate:contract); Reviewers and
	// TeamReviewers are asked to review.
	Labels        []string
	Reviewers     []string
	TeamReviewers []string
	// BranchPrefix names the branches (phasegate/contract/).
	BranchPrefix string
	// DryRun plans without writing; Force reopens (as a new pull request)
	// what was closed without merge.
	DryRun, Force bool
	Now           func() time.Time
	Log           io.Writer
	// Python reads a deferred Alembic revision with Python's ast module
	// to set its down_revision (default python3).
	Python string

	// Snoozed, Forced and Reopen are the requests of the contract-debt
	// dashboard (dashboard.go), by deferred migration: snoozed ones wait
	// until the time given whatever their condition; forced ones are
	// proposed now; Reopen is Force for one migration.
	Snoozed        map[string]time.Time
	Forced, Reopen map[string]bool
}

// Outcome is what the bot did about one deferred migration.
type Outcome struct {
	Deferred string // the deferred migration's path
	// Action: waiting, snoozed, created, updated, unchanged, edited (a
	// person pushed to it: left alone), closed (not reopened), done
	// (merged), planned (dry run), error.
	Action string
	Reason string
	Target string // the active path it moves to
	Branch string
	PR     string // the pull request's URL

	// Condition is the deferral's condition, in words.
	Condition string
}

// Run plans and (unless DryRun) carries out the follow-up pull requests.
func Run(ctx context.Context, o Options) ([]Outcome, error) {
	o.defaults()
	_, namer := o.Format.(source.Namer)
	_, reviser := o.Format.(source.Reviser)
	if !namer && !reviser {
		why := "phasegate does not know how the tool names a new one"
		switch o.Format.(type) {
		case source.Sqitch:
			why = "sqitch keeps them in its plan"
		}
		return nil, fmt.Errorf("the follow-up bot cannot name new %s migrations (%s): move deferred migrations by hand", o.Format.Name(), why)
	}
	head, err := o.Repo.Resolve(ctx, "HEAD")
	if err != nil {
		return nil, err
	}
	tree, err := o.Repo.FS(ctx, head)
	if err != nil {
		return nil, err
	}
	defer tree.Close()
	df := deferred.Format(o.Format)
	list, err := df.List(tree, o.DeferredDir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", o.DeferredDir, err)
	}
	var releases []github.Release
	var releasesErr error
	var releasesRead bool
	var out []Outcome
	for _, m := range list {
		if m.Skip != "" {
			continue
		}
		oc := Outcome{Deferred: m.Path}
		src, err := fs.ReadFile(tree, m.Path)
		if err != nil {
			return out, err
		}
		h, _, err := deferred.Parse(src)
		if err != nil {
			oc.Action, oc.Reason = "error", fmt.Sprintf("%s:%v", m.Path, err)
			out = append(out, oc)
			continue
		}
		cond, _ := h.Condition()
		oc.Condition = conditionText(cond)
		if until, ok := o.Snoozed[m.Path]; ok && o.Now().Before(until) {
			oc.Action, oc.Reason = "snoozed", "snoozed in the dashboard until "+day(until)
			out = append(out, oc)
			continue
		}
		added, pr, err := origin(ctx, o.Repo, m.Path, h)
		if err != nil {
			oc.Action, oc.Reason = "error", err.Error()
			out = append(out, oc)
			continue
		}
		if cond.Kind == deferred.AfterRelease && !releasesRead {
			releases, releasesErr = o.Client.Releases(ctx)
			releasesRead = true
		}
		ready, why, err := o.ready(ctx, cond, added, releases, releasesErr)
		if err != nil {
			return out, err
		}
		if !ready && o.Forced[m.Path] {
			ready, why = true, "opened on request in the contract-debt dashboard"
		}
		if !ready {
			oc.Action, oc.Reason = "waiting", why
			out = append(out, oc)
			continue
		}
		oc.Reason = why
		co := o
		co.Force = o.Force || o.Reopen[m.Path]
		co.carry(ctx, &oc, m, src, added, pr)
		out = append(out, oc)
	}
	return out, nil
}

// defaults fills in the options left zero.
func (o *Options) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.TagPattern == "" {
		o.TagPattern = "v*"
	}
	if o.BranchPrefix == "" {
		o.BranchPrefix = "phasegate/contract/"
	}
	if o.Labels == nil {
		o.Labels = []string{"phasegate:contract"}
	}
}

var prInMessage = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?:\(#|Merge pull request #)(\d+)`) })

// origin finds the commit that added a deferred migration and the pull
// request it came with (from the header, else the commit message).
func origin(ctx context.Context, repo *git.Repo, p string, h deferred.Header) (string, int, error) {
	out, err := repo.Git(ctx, "log", "--diff-filter=A", "--format=%H%x00%s", "--", p)
	if err != nil {
		return "", 0, err
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) == 0 || lines[0] == "" {
		return "", 0, fmt.Errorf("%s has no commit in the history (is it committed, and is the checkout complete? use fetch-depth: 0)", p)
	}
	first := lines[len(lines)-1]
	sha, subject, _ := strings.Cut(first, "\x00")
	if h.Commit != "" {
		sha = h.Commit
	}
	pr := h.PR
	if pr == 0 {
		if m := prInMessage().FindStringSubmatch(subject); m != nil {
			pr, _ = strconv.Atoi(m[1])
		}
	}
	return sha, pr, nil
}

// ready decides whether a deferred migration's condition holds, and says
// why or why not. Once it holds, the why names dates, not ages, so the pull
// request's description it goes into stays the same from run to run.
func (o Options) ready(ctx context.Context, c deferred.Condition, added string, releases []github.Release, releasesErr error) (bool, string, error) {
	now := o.Now()
	switch c.Kind {
	case deferred.AfterDate:
		if now.Before(c.Date) {
			return false, "waits until " + c.Date.Format("2006-01-02"), nil
		}
		return true, "its date " + c.Date.Format("2006-01-02") + " has passed", nil
	case deferred.AfterDeployment:
		deps, err := o.Client.SuccessfulDeployments(ctx, c.Env)
		if err != nil {
			return false, "", err
		}
		var young string
		var first *github.Deployment // the earliest old enough
		for i, d := range deps {
			if !o.contains(ctx, d.SHA, added) {
				continue
			}
			if age := now.Sub(d.Succeeded); age < o.MinAge {
				young = fmt.Sprintf("deployment %s to %s succeeded only %s ago (min_age %s)", short(d.SHA), c.Env, round(age), o.MinAge)
			} else if first == nil || d.Succeeded.Before(first.Succeeded) {
				first = &deps[i]
			}
		}
		if first != nil {
			return true, fmt.Sprintf("deployment %s to %s succeeded on %s", short(first.SHA), c.Env, day(first.Succeeded)), nil
		}
		if young != "" {
			return false, young, nil
		}
		return false, fmt.Sprintf("no successful deployment to %s contains %s yet", c.Env, short(added)), nil
	}
	// A release: a tag matching the pattern, or a published GitHub
	// release, that contains the commit.
	type rel struct {
		name string
		at   time.Time
	}
	var rels []rel
	out, err := o.Repo.Git(ctx, "tag", "--list", o.TagPattern, "--contains", added, "--format=%(refname:short)%00%(creatordate:unix)")
	if err != nil {
		return false, "", err
	}
	tagged := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, unix, ok := strings.Cut(l, "\x00")
		if !ok {
			continue
		}
		secs, _ := strconv.ParseInt(unix, 10, 64)
		rels = append(rels, rel{name, time.Unix(secs, 0)})
		tagged[name] = true
	}
	if releasesErr == nil {
		for _, r := range releases {
			if tagged[r.Tag] || o.contains(ctx, r.Tag, added) {
				rels = append(rels, rel{"release " + r.Tag, r.Published})
			}
		}
	}
	sort.Slice(rels, func(i, j int) bool { return rels[i].at.Before(rels[j].at) })
	var young string
	for _, r := range rels {
		if age := now.Sub(r.at); age >= o.MinAge {
			return true, fmt.Sprintf("%s contains %s and has been out since %s", r.name, short(added), day(r.at)), nil
		} else if young == "" {
			young = fmt.Sprintf("%s contains %s but has been out only %s (min_age %s)", r.name, short(added), round(age), o.MinAge)
		}
	}
	if young != "" {
		return false, young, nil
	}
	return false, fmt.Sprintf("no release (tag %s) contains %s yet", o.TagPattern, short(added)), nil
}

// contains reports whether revision rev contains commit c (locally known).
func (o Options) contains(ctx context.Context, rev, c string) bool {
	_, err := o.Repo.Git(ctx, "merge-base", "--is-ancestor", c, rev)
	return err == nil
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// day is a moment to the minute, in UTC.
func day(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func round(d time.Duration) time.Duration {
	if d > time.Hour {
		return d.Round(time.Hour)
	}
	return d.Round(time.Minute)
}

// statementsOf lists a migration's statements, for the pull request body.
func statementsOf(src []byte, f source.Format, m source.Migration) []string {
	file, _, err := source.Parse(f, m, src)
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range file.Statements {
		if s.Node.GetVariableSetStmt() == nil && s.Node.GetTransactionStmt() == nil {
			out = append(out, strings.Join(strings.Fields(s.Text), " "))
		}
	}
	return out
}
