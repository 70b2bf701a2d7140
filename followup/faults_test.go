package followup

import (
	"fmt"
	"strings"
	"testing"

	"github.com/phasegate/phasegate/fakegithub"
)

// settled asserts the state the runs must leave whatever failed on the
// way: one pull request for the deferred migration, open, the one opened
// first (same number), its branch there and pointing at one commit on top
// of main that moves the file; labelled and with reviewers.
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
	main, _ := w.remote.Ref("heads/main")
	if len(info.Parents) != 1 || info.Parents[0] != main {
		w.t.Errorf("branch %s is not one commit on main: parents %v, main %s", p.Head, info.Parents, main)
	}
	if strings.Join(p.Labels, ",") != "phasegate:contract" || strings.Join(p.Reviewers, ",") != "dba" {
		w.t.Errorf("labels %v, reviewers %v", p.Labels, p.Reviewers)
	}
}

// quiet runs the bot and asserts it wrote nothing.
func (w *world) quiet(what string) []Outcome {
	w.t.Helper()
	w.s.ClearRequests()
	outs := w.run()
	for _, r := range w.s.Requests() {
		if r.IsWrite() {
			w.t.Errorf("%s wrote: %s %s", what, r.Method, r.Path)
		}
	}
	return outs
}

func TestPullRequestOpenedBehindA502IsKept(t *testing.T) {
	w := newWorld(t, layouts["golang-migrate"])
	w.local.Git("tag", "v1.1.0")
	w.push()
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

func five(r fakegithub.Response) []fakegithub.Response {
	return []fakegithub.Response{r, r, r, r, r}
}
