package followup

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/github"
	"github.com/phasegate/phasegate/internal/source"
)

// The contract-debt dashboard is one issue per repository, as Renovate's
// Dependency Dashboard: every deferred contract migration, its condition,
// and where it stands (waiting, snoozed, open as a pull request, closed,
// merged), with checkboxes a person ticks to ask for something: open the
// follow-up pull request now, snooze a migration, wake it up. The next
// run reads the ticked boxes, acts on them and clears them. What the
// dashboard must remember (snoozes, migrations opened on request, recent
// merges) is kept in the issue's body, in a hidden comment.
//
// A rerun with nothing new writes nothing: the body holds no time of run,
// only what changes when something changed.

const (
	dashboardMarker = "<!-- phasegate:dashboard -->"
	// DashboardLabel marks the dashboard issue; the bot finds it by the
	// label and the marker.
	DashboardLabel = "phasegate:dashboard"
	dashboardTitle = "phasegate: contract debt"
	statePrefix    = "<!-- phasegate:state "
	// keepMerged is how long a merged follow-up stays on the dashboard.
	keepMerged = 30 * 24 * time.Hour
)

// DashboardOptions configure the dashboard.
type DashboardOptions struct {
	// Snooze is how long a ticked "snooze" postpones a migration (7 days
	// when zero).
	Snooze time.Duration
}

// DashboardResult is what a run did to the dashboard.
type DashboardResult struct {
	// Action: created, updated, unchanged.
	Action string
	URL    string
	// Acted lists the ticked boxes the run acted on, in words.
	Acted []string
}

// dashboardState is what the dashboard remembers from run to run.
type dashboardState struct {
	// Snoozed maps a deferred migration to the end of its snooze.
	Snoozed map[string]time.Time `json:"snoozed,omitempty"`
	// Forced lists the migrations opened on request, proposed whatever
	// their condition until their pull request is merged or closed.
	Forced map[string]bool `json:"forced,omitempty"`
	// Seen lists the migrations of the last run, to notice the ones that
	// left the deferred directory (merged, or removed by hand).
	Seen []string `json:"seen,omitempty"`
	// Merged maps a migration whose follow-up was merged to its pull
	// request and the time of the merge.
	Merged map[string]mergedFollowup `json:"merged,omitempty"`
}

type mergedFollowup struct {
	PR string    `json:"pr"`
	At time.Time `json:"at"`
}

// tick is a checkbox: what it asks (open, snooze, wake) for which
// deferred migration.
type tick struct{ kind, path string }

var tickRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^\s*[-*] \[([ xX])\] .*<!-- phasegate:(open|snooze|wake) (.+?) -->\s*$`)
})

// ticked returns the ticked boxes of a body.
func ticked(body string) map[tick]bool {
	out := map[tick]bool{}
	for _, m := range tickRe().FindAllStringSubmatch(body, -1) {
		if m[1] != " " {
			out[tick{m[2], m[3]}] = true
		}
	}
	return out
}

// readState reads the hidden state of a body (empty when there is none or
// it was mangled: the dashboard then starts over, losing only snoozes).
func readState(body string) dashboardState {
	var st dashboardState
	i := strings.Index(body, statePrefix)
	if i < 0 {
		return st
	}
	rest := body[i+len(statePrefix):]
	end := strings.Index(rest, " -->")
	if end < 0 {
		return st
	}
	b, err := base64.StdEncoding.DecodeString(rest[:end])
	if err != nil || json.Unmarshal(b, &st) != nil {
		return dashboardState{}
	}
	return st
}

// RunWithDashboard runs the bot (Run) with the dashboard: it reads the
// dashboard's ticked boxes and state, acts on them in the run, and writes
// the dashboard back, creating it the first time. A failure to read or
// write the dashboard (a token without issues: write) is returned as an
// error after the run, whose outcomes stand. A dry run is a plain Run: it
// neither reads nor writes the dashboard.
func RunWithDashboard(ctx context.Context, o Options, d DashboardOptions) ([]Outcome, DashboardResult, error) {
	if o.DryRun {
		outs, err := Run(ctx, o)
		return outs, DashboardResult{}, err
	}
	o.defaults()
	if d.Snooze <= 0 {
		d.Snooze = 7 * 24 * time.Hour
	}
	var res DashboardResult
	issues, dashErr := o.Client.MarkedIssues(ctx, DashboardLabel, dashboardMarker)
	if dashErr != nil && !github.IsPermission(dashErr) {
		// Its snoozes are unknown: a run now could propose what a person
		// asked to wait. The next run tries again.
		return nil, res, fmt.Errorf("read the contract-debt dashboard (nothing was proposed): %w", dashErr)
	}
	// A token that may not read issues has never written a dashboard:
	// the bot runs without one and says so.
	var dash *github.Issue
	if dashErr == nil {
		dash = pickDashboard(issues)
	}
	st := dashboardState{}
	acted := map[tick]bool{}
	if dash != nil {
		st = readState(dash.Body)
		acted = ticked(dash.Body)
	}
	if st.Snoozed == nil {
		st.Snoozed = map[string]time.Time{}
	}
	if st.Forced == nil {
		st.Forced = map[string]bool{}
	}
	if st.Merged == nil {
		st.Merged = map[string]mergedFollowup{}
	}
	now := o.Now()
	reopen := map[string]bool{}
	for _, t := range sortedTicks(acted) {
		switch t.kind {
		case "open":
			st.Forced[t.path], reopen[t.path] = true, true
			delete(st.Snoozed, t.path)
			res.Acted = append(res.Acted, "open now: "+t.path)
		case "snooze":
			st.Snoozed[t.path] = now.Add(d.Snooze).UTC().Truncate(time.Minute)
			res.Acted = append(res.Acted, "snoozed until "+day(st.Snoozed[t.path])+": "+t.path)
		case "wake":
			delete(st.Snoozed, t.path)
			res.Acted = append(res.Acted, "woken up: "+t.path)
		}
	}
	o.Snoozed, o.Forced, o.Reopen = st.Snoozed, st.Forced, reopen
	outs, err := Run(ctx, o)
	if err != nil || dashErr != nil {
		return outs, res, firstErr(err, dashErr)
	}
	if err := o.remember(ctx, &st, outs, now); err != nil {
		return outs, res, err
	}

	// A box ticked while the bot ran stays ticked, for the next run.
	pending := map[tick]bool{}
	if dash != nil {
		fresh, err := o.Client.GetIssue(ctx, dash.Number)
		if err != nil {
			return outs, res, err
		}
		for t := range ticked(fresh.Body) {
			if !acted[t] {
				pending[t] = true
			}
		}
		dash.Body = fresh.Body
	}
	body := renderDashboard(o, d, outs, st, pending)
	switch {
	case dash == nil:
		created, err := o.Client.CreateMarkedIssue(ctx, dashboardTitle, body, DashboardLabel, dashboardMarker)
		res.Action, res.URL = "created", created.URL
		if err == nil && created.Body != body { // a concurrent run made it first
			err = o.Client.EditIssue(ctx, created.Number, body, "")
		}
		if err != nil {
			return outs, res, err
		}
	case dash.Body == body:
		res.Action, res.URL = "unchanged", dash.URL
	default:
		res.Action, res.URL = "updated", dash.URL
		if err := o.Client.EditIssue(ctx, dash.Number, body, ""); err != nil {
			return outs, res, err
		}
	}
	// Dashboards beyond the first (left by racing first runs) are closed.
	for _, is := range issues {
		if dash != nil && is.Number != dash.Number && is.State == "open" {
			note := fmt.Sprintf("%s\nThe contract-debt dashboard is #%d.\n", dashboardMarker, dash.Number)
			if err := o.Client.EditIssue(ctx, is.Number, note, "closed"); err != nil {
				return outs, res, err
			}
		}
	}
	return outs, res, nil
}

// pickDashboard is the dashboard among the marked issues: the oldest open
// one, else the oldest closed one (a person closed it: it is kept up to
// date, not reopened).
func pickDashboard(issues []github.Issue) *github.Issue {
	for i := range issues {
		if issues[i].State == "open" {
			return &issues[i]
		}
	}
	if len(issues) > 0 {
		return &issues[0]
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func sortedTicks(m map[tick]bool) []tick {
	var out []tick
	for t := range m {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].path != out[j].path {
			return out[i].path < out[j].path
		}
		return out[i].kind < out[j].kind
	})
	return out
}

// remember updates the state after a run: snoozes that ended and
// requests that were answered go; a migration that left the deferred
// directory is remembered as merged when its follow-up was.
func (o Options) remember(ctx context.Context, st *dashboardState, outs []Outcome, now time.Time) error {
	listed := map[string]bool{}
	for _, oc := range outs {
		listed[oc.Deferred] = true
		switch oc.Action {
		case "closed", "done":
			delete(st.Forced, oc.Deferred)
		}
	}
	for p, until := range st.Snoozed {
		if !listed[p] || !now.Before(until) {
			delete(st.Snoozed, p)
		}
	}
	for _, p := range st.Seen {
		if listed[p] {
			continue
		}
		delete(st.Forced, p)
		pulls, err := o.Client.PullsForBranch(ctx, o.BranchPrefix+branchName(source.Migration{Path: p}))
		if err != nil {
			return err
		}
		for _, pl := range pulls {
			if pl.Merged {
				st.Merged[p] = mergedFollowup{PR: pl.URL, At: pl.Closed.UTC()}
				break
			}
		}
	}
	for p, m := range st.Merged {
		if now.Sub(m.At) > keepMerged || listed[p] {
			delete(st.Merged, p)
		}
	}
	st.Seen = st.Seen[:0]
	for p := range listed {
		st.Seen = append(st.Seen, p)
	}
	sort.Strings(st.Seen)
	return nil
}

// conditionText says a deferral's condition in words.
func conditionText(c deferred.Condition) string {
	switch c.Kind {
	case deferred.AfterDeployment:
		return "after a successful deployment to " + c.Env
	case deferred.AfterDate:
		return "after " + c.Date.Format("2006-01-02")
	}
	return "after a release"
}

// renderDashboard is the dashboard's body. pending are boxes a person
// ticked during the run, kept ticked.
func renderDashboard(o Options, d DashboardOptions, outs []Outcome, st dashboardState, pending map[tick]bool) string {
	box := func(kind, path, text string) string {
		mark := " "
		if pending[tick{kind, path}] {
			mark = "x"
		}
		return fmt.Sprintf("  - [%s] %s <!-- phasegate:%s %s -->\n", mark, text, kind, path)
	}
	sections := map[string]*strings.Builder{}
	order := []string{"Needs attention", "Waiting", "Snoozed", "Open as a pull request", "Closed without merge", "Merged"}
	for _, s := range order {
		sections[s] = &strings.Builder{}
	}
	sorted := append([]Outcome(nil), outs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Deferred < sorted[j].Deferred })
	snooze := strings.TrimSuffix(strings.TrimSuffix(d.Snooze.String(), "0s"), "0m")
	if d.Snooze%(24*time.Hour) == 0 {
		snooze = fmt.Sprintf("%d days", int(d.Snooze/(24*time.Hour)))
	}
	for _, oc := range sorted {
		head := fmt.Sprintf("- **`%s`**", oc.Deferred)
		if oc.Condition != "" {
			head += " (" + oc.Condition + ")"
		}
		switch oc.Action {
		case "waiting":
			b := sections["Waiting"]
			fmt.Fprintf(b, "%s: waiting.\n", head)
			b.WriteString(box("open", oc.Deferred, "open its follow-up pull request now"))
			b.WriteString(box("snooze", oc.Deferred, "snooze it for "+snooze))
		case "snoozed":
			b := sections["Snoozed"]
			fmt.Fprintf(b, "%s: snoozed until %s.\n", head, day(st.Snoozed[oc.Deferred]))
			b.WriteString(box("wake", oc.Deferred, "wake it up"))
		case "created", "updated", "unchanged", "edited":
			b := sections["Open as a pull request"]
			fmt.Fprintf(b, "%s: %s", head, prLink(oc.PR))
			if oc.Target != "" {
				fmt.Fprintf(b, ", moving it to `%s`", oc.Target)
			}
			if oc.Action == "edited" {
				b.WriteString("; edited by a person, so the bot leaves it alone")
			}
			b.WriteString(".\n")
		case "closed":
			b := sections["Closed without merge"]
			fmt.Fprintf(b, "%s: %s was closed without merge.\n", head, prLink(oc.PR))
			b.WriteString(box("open", oc.Deferred, "open a new follow-up pull request"))
		case "done":
			fmt.Fprintf(sections["Merged"], "%s: merged in %s, but the deferred file is still on `%s`: remove it there.\n", head, prLink(oc.PR), o.Base)
		default: // error, planned
			fmt.Fprintf(sections["Needs attention"], "%s: %s.\n", head, oneLine(oc.Reason))
		}
	}
	var merged []string
	for p := range st.Merged {
		merged = append(merged, p)
	}
	sort.Strings(merged)
	for _, p := range merged {
		m := st.Merged[p]
		fmt.Fprintf(sections["Merged"], "- **`%s`**: applied, merged in %s on %s.\n", p, prLink(m.PR), m.At.Format("2006-01-02"))
	}

	var b strings.Builder
	b.WriteString(dashboardMarker + "\n")
	b.WriteString("Every deferred contract migration of this repository: statements that wait until no instance of the previous release runs. `phasegate followup` keeps this issue up to date; tick a box and its next run acts on it (and clears the box).\n")
	empty := true
	for _, s := range order {
		if sections[s].Len() == 0 {
			continue
		}
		empty = false
		fmt.Fprintf(&b, "\n### %s\n\n%s", s, sections[s].String())
	}
	if empty {
		b.WriteString("\nNo contract debt: no deferred migration.\n")
	}
	js, _ := json.Marshal(st)
	fmt.Fprintf(&b, "\n%s%s -->\n", statePrefix, base64.StdEncoding.EncodeToString(js))
	return b.String()
}

// prLink is a pull request's URL as "#N" linked, or the URL.
func prLink(url string) string {
	if i := strings.LastIndex(url, "/"); i >= 0 {
		return fmt.Sprintf("[#%s](%s)", url[i+1:], url)
	}
	return url
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
