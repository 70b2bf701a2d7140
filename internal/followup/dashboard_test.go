package followup

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phasegate/phasegate/internal/deferred"
	"github.com/phasegate/phasegate/internal/fakegithub"
	"github.com/phasegate/phasegate/internal/github"
)

const (
	later   = "db/migrations/deferred/0005_later_contract.up.sql"
	deploy  = "db/migrations/deferred/0006_deploy_contract.up.sql"
	dropped = "db/migrations/deferred/0003_drop_name_contract.up.sql"
)

// dashboardWorld is a world with three deferred migrations: one released
// (v1.1.0 contains it), one waiting for a date, one for a deployment.
func dashboardWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, layouts["golang-migrate"])
	w.local.Commit("Defer to a date (#44)", map[string]string{later: deferred.Header{After: "2099-01-01"}.String() + "DROP TABLE orders;\n"})
	w.local.Git("tag", "v1.1.0")
	w.local.Commit("Defer to a deployment (#45)", map[string]string{deploy: deferred.Header{After: "deployment production"}.String() + "ALTER TABLE users DROP COLUMN id;\n"})
	w.push()
	return w
}

func (w *world) runDashboard() ([]Outcome, DashboardResult) {
	w.t.Helper()
	outs, res, err := RunWithDashboard(context.Background(), w.opts, DashboardOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	return outs, res
}

// quietDashboard runs with the dashboard and asserts it wrote nothing.
func (w *world) quietDashboard(what string) ([]Outcome, DashboardResult) {
	w.t.Helper()
	before := len(w.s.Requests())
	outs, res := w.runDashboard()
	for _, r := range w.s.Requests()[before:] {
		if r.IsWrite() {
			w.t.Errorf("%s wrote: %s %s", what, r.Method, r.Path)
		}
	}
	if res.Action != "unchanged" {
		w.t.Errorf("%s: dashboard %s", what, res.Action)
	}
	return outs, res
}

// dashboard returns the one dashboard issue.
func (w *world) dashboard() fakegithub.Issue {
	w.t.Helper()
	var found []fakegithub.Issue
	for _, is := range w.remote.Issues() {
		if strings.HasPrefix(is.Body, dashboardMarker) {
			found = append(found, is)
		}
	}
	if len(found) != 1 {
		w.t.Fatalf("%d dashboards: %+v", len(found), found)
	}
	return found[0]
}

// tick ticks the box of kind for path, as a person does in the issue.
func (w *world) tick(kind, path string) {
	w.t.Helper()
	d := w.dashboard()
	box := fmt.Sprintf("[ ] %s", "")
	lines := strings.Split(d.Body, "\n")
	done := false
	for i, l := range lines {
		if strings.HasSuffix(l, fmt.Sprintf("<!-- phasegate:%s %s -->", kind, path)) && strings.Contains(l, "[ ]") {
			lines[i] = strings.Replace(l, "[ ]", "[x]", 1)
			done = true
		}
	}
	if !done {
		w.t.Fatalf("no %s box for %s%s in:\n%s", kind, path, box, d.Body)
	}
	w.remote.EditIssue(d.Number, "alice", strings.Join(lines, "\n"))
}

func actions(outs []Outcome) map[string]string {
	m := map[string]string{}
	for _, o := range outs {
		m[o.Deferred] = o.Action
	}
	return m
}

func TestDashboardEndToEnd(t *testing.T) {
	w := dashboardWorld(t)
	outs, res := w.runDashboard()
	if res.Action != "created" || fmt.Sprint(actions(outs)) != fmt.Sprint(map[string]string{dropped: "created", later: "waiting", deploy: "waiting"}) {
		t.Fatalf("first run: %+v %+v", actions(outs), res)
	}
	d := w.dashboard()
	if d.Title != dashboardTitle || strings.Join(d.Labels, ",") != DashboardLabel || d.State != "open" {
		t.Errorf("dashboard %+v", d)
	}
	for _, want := range []string{
		"### Waiting", "`" + later + "`** (after 2099-01-01): waiting.", "`" + deploy + "`** (after a successful deployment to production)",
		"- [ ] open its follow-up pull request now <!-- phasegate:open " + later + " -->",
		"- [ ] snooze it for 7 days <!-- phasegate:snooze " + deploy + " -->",
		"### Open as a pull request", "`" + dropped + "`** (after a release): [#1](", "moving it to `db/migrations/0003_drop_name_contract.up.sql`",
	} {
		if !strings.Contains(d.Body, want) {
			t.Errorf("the dashboard lacks %q:\n%s", want, d.Body)
		}
	}
	w.quietDashboard("a rerun")

	// Open the one waiting for 2099 now.
	w.tick("open", later)
	outs, res = w.runDashboard()
	if actions(outs)[later] != "created" || res.Action != "updated" || len(res.Acted) != 1 || len(w.openPulls()) != 2 {
		t.Fatalf("open now: %+v %+v", actions(outs), res)
	}
	if body := w.dashboard().Body; strings.Contains(body, "[x]") || strings.Contains(body, "phasegate:open "+later) || !strings.Contains(body, "`"+later+"`** (after 2099-01-01): [#") {
		t.Errorf("after opening on request:\n%s", body)
	}
	for _, p := range w.openPulls() {
		if strings.Contains(p.Title, "later") && !strings.Contains(p.Body, "opened on request in the contract-debt dashboard") {
			t.Errorf("the pull request does not say why it is open now:\n%s", p.Body)
		}
	}
	w.quietDashboard("a rerun after opening on request")

	// Snooze the deployment one, then wake it up.
	w.tick("snooze", deploy)
	outs, _ = w.runDashboard()
	if actions(outs)[deploy] != "snoozed" || !strings.Contains(w.dashboard().Body, "<!-- phasegate:wake "+deploy+" -->") {
		t.Fatalf("snooze: %+v\n%s", actions(outs), w.dashboard().Body)
	}
	w.quietDashboard("a rerun while snoozed")
	w.tick("wake", deploy)
	if outs, _ = w.runDashboard(); actions(outs)[deploy] != "waiting" {
		t.Fatalf("wake: %+v", actions(outs))
	}
	// A snooze ends by itself.
	w.tick("snooze", deploy)
	w.runDashboard()
	now := w.opts.Now
	w.opts.Now = func() time.Time { return now().Add(8 * 24 * time.Hour) }
	if outs, _ = w.runDashboard(); actions(outs)[deploy] != "waiting" || strings.Contains(w.dashboard().Body, "phasegate:wake") {
		t.Fatalf("after the snooze: %+v\n%s", actions(outs), w.dashboard().Body)
	}

	// The released one's pull request is merged: it leaves the deferred
	// directory, and the dashboard says where it went.
	var merged fakegithub.Pull
	for _, p := range w.openPulls() {
		if strings.Contains(p.Title, "drop_name") {
			merged = p
		}
	}
	w.remote.MergePull(merged.Number)
	if _, err := w.remote.ExportRef(w.local.Dir, "heads/main"); err != nil {
		t.Fatal(err)
	}
	outs, _ = w.runDashboard()
	if _, still := actions(outs)[dropped]; still {
		t.Fatalf("the merged one is still listed: %+v", actions(outs))
	}
	if body := w.dashboard().Body; !strings.Contains(body, fmt.Sprintf("- **`%s`**: applied, merged in [#%d](", dropped, merged.Number)) {
		t.Errorf("the merge is not on the dashboard:\n%s", body)
	}
	w.quietDashboard("a rerun after the merge")
	if n := len(w.remote.Issues()); n != 1 {
		t.Errorf("%d issues", n)
	}
}

// TestClosedFollowupIsOpenedAgainOnRequest: a pull request closed without
// merge stays closed, until a person ticks "open a new one".
func TestClosedFollowupIsOpenedAgainOnRequest(t *testing.T) {
	w := released(t, layouts["golang-migrate"])
	w.runDashboard()
	old := w.openPulls()[0].Number
	w.remote.ClosePull(old)
	outs, _ := w.runDashboard()
	if outs[0].Action != "closed" || !strings.Contains(w.dashboard().Body, "### Closed without merge") {
		t.Fatalf("%+v\n%s", outs, w.dashboard().Body)
	}
	w.quietDashboard("a rerun")
	w.tick("open", outs[0].Deferred)
	if outs, _ = w.runDashboard(); outs[0].Action != "created" || len(w.openPulls()) != 1 || w.openPulls()[0].Number == old {
		t.Fatalf("open again: %+v", outs)
	}
	// Closed again: it stays closed (the request was for one pull
	// request).
	w.remote.ClosePull(w.openPulls()[0].Number)
	if outs, _ = w.runDashboard(); outs[0].Action != "closed" || len(w.openPulls()) != 0 {
		t.Fatalf("closed again: %+v", outs)
	}
}

// TestEditedFollowupIsLeftAlone: once a person pushes to the follow-up
// branch, the bot never rebases it nor rewrites its description, even
// when main takes its migration's version.
func TestEditedFollowupIsLeftAlone(t *testing.T) {
	w := released(t, layouts["golang-migrate"])
	first := w.run()[0]
	p := w.openPulls()[0]
	head := w.remote.Commit(p.Head, "A comment on the drop", map[string]string{first.Target: "-- reviewed by alice\n" + w.remote.Files(p.Head)[first.Target]})
	w.remote.Commit("main", "orders index", map[string]string{"db/migrations/0003_orders_idx.up.sql": "CREATE INDEX CONCURRENTLY o ON orders (id);\n"})
	for i := 1; i <= 2; i++ {
		outs := w.quiet(fmt.Sprintf("run %d after the push", i))
		if outs[0].Action != "edited" || !strings.Contains(outs[0].Reason, "phasegate test pushed commit") {
			t.Fatalf("run %d: %+v", i, outs[0])
		}
	}
	if got, _ := w.remote.Ref("heads/" + p.Head); got != head {
		t.Errorf("the branch moved from the person's commit %s to %s", head, got)
	}
	if now, _ := w.remote.Pull(p.Number); now.Body != p.Body || now.Title != p.Title || now.State != "open" {
		t.Errorf("the pull request was rewritten: %+v", now)
	}
	w.runDashboard()
	if body := w.dashboard().Body; !strings.Contains(body, "edited by a person, so the bot leaves it alone") {
		t.Errorf("dashboard:\n%s", body)
	}
}

// TestDashboardSurvivesServerErrors injects, on the dashboard's writes
// (opening it, editing it), a 5xx that GitHub answered after doing the
// write (or without doing it), then runs twice more: one dashboard, its
// body what a run without faults writes, and the ticked box acted on once.
func TestDashboardSurvivesServerErrors(t *testing.T) {
	five := func(r fakegithub.Response) []fakegithub.Response { return []fakegithub.Response{r, r, r, r, r} }
	cases := map[string]struct {
		edit      bool // the faulted run edits an existing dashboard
		method    string
		pattern   string
		responses []fakegithub.Response
	}{
		"open applied once":   {false, "POST", "/repos/acme/shop/issues", []fakegithub.Response{fakegithub.AppliedButFailed(502)}},
		"open applied always": {false, "POST", "/repos/acme/shop/issues", five(fakegithub.AppliedButFailed(502))},
		"open refused always": {false, "POST", "/repos/acme/shop/issues", five(fakegithub.Refused(502))},
		"edit applied always": {true, "PATCH", "/repos/acme/shop/issues/*", five(fakegithub.AppliedButFailed(502))},
		"edit refused always": {true, "PATCH", "/repos/acme/shop/issues/*", five(fakegithub.Refused(500))},
		"list refused always": {true, "GET", "/repos/acme/shop/issues", five(fakegithub.Refused(503))},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			w := dashboardWorld(t)
			if tc.edit {
				w.runDashboard()
				w.tick("open", later)
			}
			w.s.Fault(tc.method, tc.pattern, tc.responses...)
			_, _, err := RunWithDashboard(context.Background(), w.opts, DashboardOptions{})
			t.Logf("faulted run: %v", err)
			w.s.ClearFaults()
			for i := 2; i <= 3; i++ {
				if _, _, err := RunWithDashboard(context.Background(), w.opts, DashboardOptions{}); err != nil {
					t.Fatalf("run %d: %v", i, err)
				}
			}
			d := w.dashboard()
			if d.State != "open" || strings.Contains(d.Body, "[x]") {
				t.Errorf("dashboard %+v", d)
			}
			if tc.edit {
				created := 0
				for _, p := range w.remote.Pulls() {
					if strings.Contains(p.Title, "later") {
						created++
					}
				}
				if created != 1 {
					t.Errorf("%d pull requests for the migration opened on request, want 1", created)
				}
			}
			w.quietDashboard("a run after the faults")
		})
	}
}

// tickDuring is a transport that ticks a box of the dashboard when the
// bot reads the dashboard again before writing it, as a person ticking it
// while the bot runs.
type tickDuring struct {
	w      *world
	kind   string
	path   string
	number int
	once   sync.Once
}

func (td *tickDuring) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == "GET" && req.URL.Path == fmt.Sprintf("/repos/acme/shop/issues/%d", td.number) {
		td.once.Do(func() { td.w.tick(td.kind, td.path) })
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestBoxTickedDuringARunIsKept: a box ticked while the bot runs is not
// wiped by the bot's write: the next run acts on it.
func TestBoxTickedDuringARunIsKept(t *testing.T) {
	w := dashboardWorld(t)
	w.runDashboard()
	td := &tickDuring{w: w, kind: "snooze", path: deploy, number: w.dashboard().Number}
	client, err := github.New(github.Options{Token: "bot", APIURL: w.s.URL, Repository: "acme/shop", HTTPClient: &http.Client{Transport: td},
		Retry: github.RetryPolicy{Sleep: func(time.Duration) {}}})
	if err != nil {
		t.Fatal(err)
	}
	w.tick("open", later)
	o := w.opts
	o.Client = client
	if _, _, err := RunWithDashboard(context.Background(), o, DashboardOptions{}); err != nil {
		t.Fatal(err)
	}
	body := w.dashboard().Body
	if !strings.Contains(body, "- [x] snooze it for 7 days <!-- phasegate:snooze "+deploy+" -->") || strings.Contains(body, "phasegate:open "+later) {
		t.Fatalf("the box ticked during the run:\n%s", body)
	}
	outs, _ := w.runDashboard()
	if actions(outs)[deploy] != "snoozed" {
		t.Errorf("the next run did not act on it: %+v", actions(outs))
	}
}
