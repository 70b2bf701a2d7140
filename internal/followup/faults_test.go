package followup

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

// settled asserts the state the runs must leave whatever failed on the
// way: one pull request for the deferred migration, open, the one opened
// first (same number), its branch there and pointing at one commit on top
// of a commit of main; labelled and with reviewers.
func (w *world) settled(number int) {
	w.t.Helper()
	pulls := w.remote.Pulls()
	if len(pulls) != 1 {
		w.t.Fatalf("%d pull requests, want 1: %+v", len(pulls), pulls)
	}
	p := pulls[0]
	if p.State != "open" || (number != 0 && p.Number != number) {
		w.t.Fatalf("pull request #%d is %s, want #%d open", p.Number, p.State, number)
	}
	head, ok := w.remote.Ref("heads/" + p.Head)
	if !ok || head != p.HeadSHA {
		w.t.Fatalf("branch %s: %q (exists %v), pull request head %s", p.Head, head, ok, p.HeadSHA)
	}
	info, _ := w.remote.CommitInfo(head)
	if len(info.Parents) != 1 || !w.onMain(info.Parents[0]) {
		w.t.Errorf("branch %s is not one commit on main: parents %v", p.Head, info.Parents)
	}
	if strings.Join(p.Labels, ",") != "phasegate:contract" || strings.Join(p.Reviewers, ",") != "dba" {
		w.t.Errorf("labels %v, reviewers %v", p.Labels, p.Reviewers)
	}
}

// onMain reports whether a commit is main's tip or one of its ancestors.
func (w *world) onMain(sha string) bool {
	main, _ := w.remote.Ref("heads/main")
	seen := map[string]bool{}
	for queue := []string{main}; len(queue) > 0; queue = queue[1:] {
		c := queue[0]
		if c == sha {
			return true
		}
		if !seen[c] {
			seen[c] = true
			info, _ := w.remote.CommitInfo(c)
			queue = append(queue, info.Parents...)
		}
	}
	return false
}

// released is a world where release v1.1.0 contains the deferred
// migration.
func released(t *testing.T, l layout) *world {
	t.Helper()
	w := newWorld(t, l)
	w.local.Git("tag", "v1.1.0")
	w.push()
	return w
}

// quiet runs the bot and asserts it wrote nothing.
func (w *world) quiet(what string) []Outcome {
	w.t.Helper()
	before := len(w.s.Requests())
	outs := w.run()
	for _, r := range w.s.Requests()[before:] {
		if r.IsWrite() {
			w.t.Errorf("%s wrote: %s %s", what, r.Method, r.Path)
		}
	}
	return outs
}

func TestPullRequestOpenedBehindA502IsKept(t *testing.T) {
	w := released(t, layouts["golang-migrate"])
	// GitHub opens the pull request and answers 502, every time.
	w.s.Fault("POST", "/repos/acme/shop/pulls", five(fakegithub.AppliedButFailed(502))...)
	outs := w.run()
	if outs[0].Action != "created" {
		t.Errorf("first run: %+v", outs[0])
	}
	number := w.remote.Pulls()[0].Number
	for i := 2; i <= 3; i++ {
		if outs := w.quiet(fmt.Sprintf("run %d", i)); outs[0].Action != "unchanged" {
			t.Errorf("run %d: %+v", i, outs[0])
		}
	}
	w.settled(number)
}

func TestFailedOpenKeepsTheBranch(t *testing.T) {
	w := released(t, layouts["golang-migrate"])
	// GitHub refuses to open the pull request, every time: the run fails,
	// and leaves the branch (it cannot know that no pull request carries
	// it); the next run opens the pull request on it without a new commit.
	w.s.Fault("POST", "/repos/acme/shop/pulls", five(fakegithub.Refused(502))...)
	outs := w.run()
	if outs[0].Action != "error" || len(w.remote.Pulls()) != 0 {
		t.Fatalf("first run: %+v", outs[0])
	}
	branch, ok := w.remote.Ref("heads/" + outs[0].Branch)
	if !ok {
		t.Fatalf("the branch %s was deleted", outs[0].Branch)
	}
	w.s.ClearRequests()
	outs = w.run()
	if outs[0].Action != "created" {
		t.Fatalf("second run: %+v", outs[0])
	}
	if head, _ := w.remote.Ref("heads/" + outs[0].Branch); head != branch {
		t.Errorf("the second run moved the branch from %s to %s", branch, head)
	}
	for _, r := range w.s.Requests() {
		if strings.Contains(r.Path, "/git/") && r.IsWrite() {
			t.Errorf("the second run rebuilt the branch: %s %s", r.Method, r.Path)
		}
	}
	w.quiet("third run")
	w.settled(0)
	for _, r := range w.s.Requests() {
		if r.Method == "DELETE" {
			t.Errorf("%s %s", r.Method, r.Path)
		}
	}
}

func five(r fakegithub.Response) []fakegithub.Response {
	return []fakegithub.Response{r, r, r, r, r}
}

// TestEveryWriteSurvivesServerErrors injects, on each write the bot makes,
// a 5xx that GitHub answered after doing the write (once, or on every
// attempt) or without doing it (on every attempt), runs the bot, then runs
// it twice more. Whatever failed, the runs converge on one open pull
// request for the deferred migration, the same number throughout, its
// branch one commit on main, labelled and with its reviewers; the branch
// is moved only when main made it stale; and once a run succeeded, the
// next ones write nothing.
func TestEveryWriteSurvivesServerErrors(t *testing.T) {
	const R = "/repos/acme/shop"
	writes := map[string][]string{
		// Opening the pull request.
		"open": {"POST " + R + "/git/trees", "POST " + R + "/git/commits", "POST " + R + "/git/refs",
			"POST " + R + "/pulls", "POST " + R + "/pulls/*/requested_reviewers", "POST " + R + "/issues/*/labels"},
		// Rebasing it after main took its version.
		"rebase": {"POST " + R + "/git/trees", "POST " + R + "/git/commits", "PATCH " + R + "/git/refs/heads/phasegate/contract/*",
			"PATCH " + R + "/pulls/*"},
	}
	faults := map[string][]fakegithub.Response{
		"applied once":   {fakegithub.AppliedButFailed(502)},
		"applied always": five(fakegithub.AppliedButFailed(502)),
		"refused always": five(fakegithub.Refused(500)),
	}
	for scenario, endpoints := range writes {
		for _, endpoint := range endpoints {
			for kind, responses := range faults {
				method, pattern, _ := strings.Cut(endpoint, " ")
				t.Run(fmt.Sprintf("%s/%s %s/%s", scenario, method, strings.TrimPrefix(pattern, R), kind), func(t *testing.T) {
					w := released(t, layouts["golang-migrate"])
					number := 0
					if scenario == "rebase" {
						w.run()
						number = w.remote.Pulls()[0].Number
						w.remote.Commit("main", "orders index", map[string]string{"db/migrations/0003_orders_idx.up.sql": "CREATE INDEX CONCURRENTLY o ON orders (id);\n"})
					}
					w.s.ClearRequests()
					w.s.Fault(method, pattern, responses...)
					failed := w.run()[0].Action == "error"
					if w.s.PendingFaults() == len(responses) {
						t.Fatalf("the bot never sent %s", endpoint)
					}
					w.s.ClearFaults()
					for i := 2; i <= 3; i++ {
						var outs []Outcome
						if failed {
							outs = w.run()
						} else {
							outs = w.quiet(fmt.Sprintf("run %d after a successful one", i))
						}
						if outs[0].Action == "error" {
							t.Fatalf("run %d: %+v", i, outs[0])
						}
						failed = false
						if number == 0 && len(w.remote.Pulls()) > 0 {
							number = w.remote.Pulls()[0].Number
						}
					}
					w.settled(number)
					if target := w.openPulls()[0].Title; scenario == "rebase" && !strings.Contains(target, "0004_drop_name_contract") {
						t.Errorf("not rebased past main's 0003: %s", target)
					}
					moves := map[string]bool{}
					for _, r := range w.s.Requests() {
						if r.Method == "PATCH" && strings.Contains(r.Path, "/git/refs/") && (r.Status == 200 || r.Applied) {
							moves[string(r.Body)] = true
						}
						if r.Method == "DELETE" {
							t.Errorf("%s %s", r.Method, r.Path)
						}
					}
					if want := map[string]int{"open": 0, "rebase": 1}[scenario]; len(moves) != want {
						t.Errorf("the branch was moved %d times, want %d", len(moves), want)
					}
				})
			}
		}
	}
}

// deleteBranch deletes a branch through the API with the bot's token, as
// phasegate's cleanup did before it kept its branches.
func (w *world) deleteBranch(branch string) {
	w.t.Helper()
	req, _ := http.NewRequest("DELETE", w.s.URL+"/repos/acme/shop/git/refs/heads/"+branch, nil)
	req.Header.Set("Authorization", "Bearer bot")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		w.t.Fatalf("delete %s: %s", branch, resp.Status)
	}
}

// TestPullRequestClosedByTheOldCleanupIsProposedAgain: a pull request
// that an earlier phasegate closed by deleting its branch after a 502 was
// not closed by a user: the deferred contract is proposed again. One a
// user closed is not, nor one closed long after it was opened.
func TestPullRequestClosedByTheOldCleanupIsProposedAgain(t *testing.T) {
	clock := time.Now()
	for _, tc := range []struct {
		name  string
		close func(w *world, number int, branch string)
		want  string
	}{
		{"closed by the cleanup", func(w *world, _ int, branch string) { w.deleteBranch(branch) }, "created"},
		{"closed by a user", func(w *world, number int, _ string) { w.remote.ClosePull(number) }, "closed"},
		{"closed by a user who deleted the branch", func(w *world, number int, branch string) {
			w.remote.ClosePull(number)
			w.deleteBranch(branch)
		}, "closed"},
		{"branch deleted by the bot's identity an hour later", func(w *world, _ int, branch string) {
			w.s.SetNow(func() time.Time { return clock.Add(time.Hour) })
			w.deleteBranch(branch)
		}, "closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := released(t, layouts["golang-migrate"])
			w.s.SetNow(func() time.Time { return clock })
			first := w.run()[0]
			old := w.openPulls()[0].Number
			tc.close(w, old, first.Branch)
			if p, _ := w.remote.Pull(old); p.State != "closed" {
				t.Fatalf("#%d is %s", old, p.State)
			}
			outs := w.run()
			if outs[0].Action != tc.want {
				t.Fatalf("after #%d was %s: %+v", old, tc.name, outs[0])
			}
			if tc.want == "closed" {
				if len(w.openPulls()) != 0 {
					t.Errorf("a pull request was opened again: %+v", w.openPulls())
				}
				return
			}
			open := w.openPulls()
			if len(open) != 1 || open[0].Number == old || open[0].Head != first.Branch {
				t.Fatalf("open pull requests %+v", open)
			}
			for i := 3; i <= 4; i++ {
				if outs := w.quiet(fmt.Sprintf("run %d", i)); outs[0].Action != "unchanged" {
					t.Errorf("run %d: %+v", i, outs[0])
				}
			}
		})
	}
}
