package github

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

// suggestionFixture is a pull request that adds db/002.sql, three lines.
func suggestionFixture(t *testing.T) (*fixture, string) {
	t.Helper()
	f := newFixture(t)
	head := f.repo.Commit("feature", "index", map[string]string{"db/002.sql": "CREATE INDEX a_idx ON a (x);\nALTER TABLE a\n  ADD COLUMN y int;\n"})
	return f, head
}

func sug(line, start int, id, text string) Suggestion {
	return Suggestion{Path: "db/002.sql", StartLine: start, Line: line, ID: id, Body: "```suggestion\n" + text + "\n```"}
}

// shown is what the pull request shows: each current phasegate suggestion
// as "path:line body-text", sorted by id; and the number of phasegate
// reviews.
func (f *fixture) shown() (current []string, outdated, reviews int) {
	for _, c := range f.repo.ReviewComments(f.pr) {
		if !strings.HasPrefix(c.Body, suggestionPrefix) {
			continue
		}
		if c.Outdated {
			outdated++
			continue
		}
		current = append(current, fmt.Sprintf("%d %s", c.Line, strings.Split(c.Body, "\n")[2]))
	}
	for _, r := range f.repo.Reviews(f.pr) {
		if strings.HasPrefix(r.Body, ReviewMarker) {
			reviews++
		}
	}
	return current, outdated, reviews
}

func (f *fixture) writes() int {
	n := 0
	for _, r := range f.s.Requests() {
		if r.IsWrite() {
			n++
		}
	}
	return n
}

func TestSuggestionsOneReviewPerPush(t *testing.T) {
	f, head := suggestionFixture(t)
	c := f.client(t, "t-write")
	ctx := context.Background()
	both := []Suggestion{sug(1, 0, "create-index-non-concurrently", "CREATE INDEX CONCURRENTLY a_idx ON a (x);"), sug(3, 2, "missing-lock-timeout", "SET lock_timeout = '5s';")}
	res, err := c.UpsertSuggestions(ctx, f.pr, head, both, Run{ID: 1, Attempt: 1})
	if err != nil || res.Action != "posted" || res.Posted != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	if cur, _, reviews := f.shown(); len(cur) != 2 || reviews != 1 {
		t.Fatalf("shown %v, %d reviews", cur, reviews)
	}
	rc := f.repo.ReviewComments(f.pr)
	if rc[1].StartLine != 2 || rc[1].Line != 3 || rc[0].StartLine != 0 || f.repo.Reviews(f.pr)[0].State != "COMMENTED" {
		t.Errorf("comments %+v, reviews %+v", rc, f.repo.Reviews(f.pr))
	}

	// A rerun writes nothing.
	f.s.ClearRequests()
	res, err = c.UpsertSuggestions(ctx, f.pr, head, both, Run{ID: 1, Attempt: 2})
	if err != nil || res.Action != "kept" || res.Kept != 2 || f.writes() != 0 {
		t.Fatalf("rerun: %+v %v, %d writes", res, err, f.writes())
	}
	// A changed text is edited in place; one no longer wanted goes.
	id := rc[0].ID
	res, err = c.UpsertSuggestions(ctx, f.pr, head, []Suggestion{sug(1, 0, "create-index-non-concurrently", "CREATE INDEX CONCURRENTLY IF NOT EXISTS a_idx ON a (x);")}, Run{ID: 2, Attempt: 1})
	if err != nil || res.Edited != 1 || res.Deleted != 1 {
		t.Fatalf("edit: %+v %v", res, err)
	}
	if rc := f.repo.ReviewComments(f.pr); len(rc) != 1 || rc[0].ID != id || !strings.Contains(rc[0].Body, "IF NOT EXISTS") {
		t.Fatalf("after the edit: %+v", rc)
	}

	// A push that leaves the suggestion's lines alone: it stays, no new
	// review.
	head2 := f.repo.Commit("feature", "readme", map[string]string{"README.md": "shop!\n"})
	wantOne := []Suggestion{sug(1, 0, "create-index-non-concurrently", "CREATE INDEX CONCURRENTLY IF NOT EXISTS a_idx ON a (x);")}
	f.s.ClearRequests()
	res, err = c.UpsertSuggestions(ctx, f.pr, head2, wantOne, Run{ID: 3, Attempt: 1})
	if err != nil || res.Action != "kept" || f.writes() != 0 {
		t.Fatalf("after an unrelated push: %+v %v", res, err)
	}
	// The author applies it: it goes outdated; a new suggestion elsewhere
	// gets the push's own review.
	head3 := f.repo.Commit("feature", "apply", map[string]string{"db/002.sql": "CREATE INDEX CONCURRENTLY IF NOT EXISTS a_idx ON a (x);\nALTER TABLE a\n  ADD COLUMN y int;\n"})
	res, err = c.UpsertSuggestions(ctx, f.pr, head3, []Suggestion{sug(3, 2, "missing-lock-timeout", "SET lock_timeout = '5s';")}, Run{ID: 4, Attempt: 1})
	if err != nil || res.Action != "posted" || res.Posted != 1 || res.Deleted != 0 {
		t.Fatalf("after applying: %+v %v", res, err)
	}
	if cur, outdated, reviews := f.shown(); len(cur) != 1 || outdated != 1 || reviews != 2 {
		t.Fatalf("shown %v, %d outdated, %d reviews", cur, outdated, reviews)
	}
	// A late run of an older commit does nothing.
	f.s.ClearRequests()
	if res, err := c.UpsertSuggestions(ctx, f.pr, head2, both, Run{ID: 3, Attempt: 2}); err != nil || res.Action != "skipped" || f.writes() != 0 {
		t.Fatalf("late run: %+v %v", res, err)
	}
	// A suggestion a person deleted is not posted again on the same
	// commit: its review exists.
	for _, rc := range f.repo.ReviewComments(f.pr) {
		if !rc.Outdated {
			c.deleteReviewComment(ctx, rc.ID)
		}
	}
	if res, err := c.UpsertSuggestions(ctx, f.pr, head3, []Suggestion{sug(3, 2, "missing-lock-timeout", "SET lock_timeout = '5s';")}, Run{ID: 4, Attempt: 2}); err != nil || res.Held != 1 {
		t.Fatalf("held: %+v %v", res, err)
	}
	if _, _, reviews := f.shown(); reviews != 2 {
		t.Errorf("%d reviews", reviews)
	}
}

// TestSuggestionsSurviveServerErrors injects, on each write, a 5xx that
// GitHub answered after doing the write (or without doing it), then runs
// twice more: the pull request shows each wanted suggestion once, in one
// review of the commit, whatever failed.
func TestSuggestionsSurviveServerErrors(t *testing.T) {
	five := func(r fakegithub.Response) []fakegithub.Response { return []fakegithub.Response{r, r, r, r, r} }
	const R = "/repos/acme/shop/pulls"
	cases := map[string]struct {
		edit            bool // the faulted run edits and deletes (an earlier run posted)
		method, pattern string
		responses       []fakegithub.Response
	}{
		"create applied once":     {false, "POST", R + "/*/reviews", []fakegithub.Response{fakegithub.AppliedButFailed(502)}},
		"create applied always":   {false, "POST", R + "/*/reviews", five(fakegithub.AppliedButFailed(502))},
		"create refused always":   {false, "POST", R + "/*/reviews", five(fakegithub.Refused(502))},
		"submit applied always":   {false, "POST", R + "/*/reviews/*/events", five(fakegithub.AppliedButFailed(502))},
		"submit refused always":   {false, "POST", R + "/*/reviews/*/events", five(fakegithub.Refused(500))},
		"edit applied always":     {true, "PATCH", R + "/comments/*", five(fakegithub.AppliedButFailed(502))},
		"edit refused always":     {true, "PATCH", R + "/comments/*", five(fakegithub.Refused(502))},
		"delete applied always":   {true, "DELETE", R + "/comments/*", five(fakegithub.AppliedButFailed(502))},
		"delete refused always":   {true, "DELETE", R + "/comments/*", five(fakegithub.Refused(500))},
		"list comments refused":   {false, "GET", R + "/*/comments", five(fakegithub.Refused(503))},
		"list reviews refused":    {false, "GET", R + "/*/reviews", five(fakegithub.Refused(503))},
		"create applied, no list": {false, "POST", R + "/*/reviews", []fakegithub.Response{fakegithub.AppliedButFailed(502)}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f, head := suggestionFixture(t)
			c := f.client(t, "t-write")
			ctx := context.Background()
			want := []Suggestion{sug(1, 0, "a", "one"), sug(3, 2, "b", "two")}
			if tc.edit {
				if _, err := c.UpsertSuggestions(ctx, f.pr, head, []Suggestion{sug(1, 0, "a", "old"), sug(2, 0, "c", "stale")}, Run{ID: 1, Attempt: 1}); err != nil {
					t.Fatal(err)
				}
				want = []Suggestion{sug(1, 0, "a", "one")}
			}
			f.s.Fault(tc.method, tc.pattern, tc.responses...)
			if name == "create applied, no list" {
				f.s.Fault("GET", R+"/*/reviews", five(fakegithub.Refused(503))...)
			}
			_, err := c.UpsertSuggestions(ctx, f.pr, head, want, Run{ID: 2, Attempt: 1})
			t.Logf("faulted run: %v", err)
			f.s.ClearFaults()
			for i := 2; i <= 3; i++ {
				if _, err := c.UpsertSuggestions(ctx, f.pr, head, want, Run{ID: 2, Attempt: int64(i)}); err != nil {
					t.Fatalf("run %d: %v", i, err)
				}
			}
			cur, _, reviews := f.shown()
			wantShown := []string{"1 one", "3 two"}
			if tc.edit {
				wantShown = wantShown[:1]
			}
			if fmt.Sprint(cur) != fmt.Sprint(wantShown) || reviews != 1 {
				t.Fatalf("shown %v, %d reviews; want %v in one review", cur, reviews, wantShown)
			}
			for _, r := range f.repo.Reviews(f.pr) {
				if r.State == "PENDING" {
					t.Errorf("a pending review is left: %+v", r)
				}
			}
		})
	}
}

// TestRacingRunsFileOneReview: runs of the same commit racing each other
// file one review: the pending review is the lock.
func TestRacingRunsFileOneReview(t *testing.T) {
	f, head := suggestionFixture(t)
	ctx := context.Background()
	want := []Suggestion{sug(1, 0, "a", "one"), sug(3, 2, "b", "two")}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if _, err := f.client(t, "t-write").UpsertSuggestions(ctx, f.pr, head, want, Run{ID: int64(10 + i), Attempt: 1}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	f.client(t, "t-write").UpsertSuggestions(ctx, f.pr, head, want, Run{ID: 20, Attempt: 1})
	if cur, _, reviews := f.shown(); fmt.Sprint(cur) != "[1 one 3 two]" || reviews != 1 {
		t.Fatalf("shown %v, %d reviews", cur, reviews)
	}
}
