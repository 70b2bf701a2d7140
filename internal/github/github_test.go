package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

// fixture is a fake GitHub with a repository and an open pull request.
type fixture struct {
	s    *fakegithub.Server
	repo *fakegithub.Repo
	pr   int
	// waits records what the client slept.
	mu    sync.Mutex
	waits []time.Duration
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{s: fakegithub.New()}
	t.Cleanup(f.s.Close)
	f.s.AddToken("t-write", fakegithub.Write)
	f.s.AddToken("t-read", fakegithub.Read)
	f.repo = f.s.AddRepo("acme", "shop")
	f.repo.Commit("main", "init", map[string]string{"README.md": "shop\n"})
	f.repo.Commit("feature", "migration", map[string]string{"db/001.sql": "CREATE TABLE a ();\n"})
	f.pr = f.repo.AddPull(fakegithub.Pull{Head: "feature", Title: "Add a"}).Number
	return f
}

func (f *fixture) client(t *testing.T, token string) *Client {
	t.Helper()
	c, err := New(Options{Token: token, APIURL: f.s.URL, Repository: "acme/shop",
		Retry: RetryPolicy{MaxWait: 2 * time.Minute, Sleep: func(d time.Duration) {
			f.mu.Lock()
			f.waits = append(f.waits, d)
			f.mu.Unlock()
		}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) phasegateComments() []fakegithub.Comment {
	var out []fakegithub.Comment
	for _, c := range f.repo.Comments(f.pr) {
		if strings.HasPrefix(c.Body, Marker) {
			out = append(out, c)
		}
	}
	return out
}

func TestCommentCreatedThenUpdated(t *testing.T) {
	f := newFixture(t)
	f.repo.AddComment(f.pr, "alice", "LGTM")
	c := f.client(t, "t-write")
	ctx := context.Background()
	res, err := c.UpsertComment(ctx, f.pr, Marker+"\nfirst", Run{ID: 10, Attempt: 1}, false)
	if err != nil || res.Action != "created" {
		t.Fatalf("first upsert: %+v %v", res, err)
	}
	res, err = c.UpsertComment(ctx, f.pr, Marker+"\nsecond", Run{ID: 11, Attempt: 1}, false)
	if err != nil || res.Action != "updated" {
		t.Fatalf("second upsert: %+v %v", res, err)
	}
	mine := f.phasegateComments()
	if len(mine) != 1 || !strings.Contains(mine[0].Body, "second") || len(f.repo.Comments(f.pr)) != 2 {
		t.Fatalf("comments: %+v", f.repo.Comments(f.pr))
	}
	res, _ = c.UpsertComment(ctx, f.pr, Marker+"\nsecond", Run{ID: 11, Attempt: 1}, false)
	if res.Action != "unchanged" {
		t.Errorf("same body again: %s", res.Action)
	}
}

func TestOlderRunDoesNotOverwriteNewer(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, "t-write")
	ctx := context.Background()
	c.UpsertComment(ctx, f.pr, "newer report", Run{ID: 20, Attempt: 1}, false)
	res, err := c.UpsertComment(ctx, f.pr, "older report", Run{ID: 19, Attempt: 3}, false)
	if err != nil || res.Action != "skipped" {
		t.Fatalf("%+v %v", res, err)
	}
	if mine := f.phasegateComments(); len(mine) != 1 || !strings.Contains(mine[0].Body, "newer report") {
		t.Errorf("comments: %+v", mine)
	}
}

func TestConcurrentRunsLeaveOneComment(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := f.client(t, "t-write")
			if _, err := c.UpsertComment(ctx, f.pr, fmt.Sprintf("run %d", i), Run{ID: int64(100 + i), Attempt: 1}, false); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	mine := f.phasegateComments()
	if len(mine) != 1 {
		t.Fatalf("%d phasegate comments after concurrent runs", len(mine))
	}
	// The survivor carries the newest run's report, or converges to it on
	// the next run.
	c := f.client(t, "t-write")
	c.UpsertComment(ctx, f.pr, "run 3", Run{ID: 103, Attempt: 1}, false)
	if mine := f.phasegateComments(); len(mine) != 1 || !strings.Contains(mine[0].Body, "run 3") {
		t.Errorf("after settling: %+v", mine)
	}
}

func TestNoMigrationsUpdatesOnlyAnExistingComment(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, "t-write")
	ctx := context.Background()
	res, err := c.UpsertComment(ctx, f.pr, "nothing to check", Run{ID: 1, Attempt: 1}, true)
	if err != nil || res.Action != "none" || len(f.repo.Comments(f.pr)) != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	c.UpsertComment(ctx, f.pr, "migrations!", Run{ID: 2, Attempt: 1}, false)
	res, _ = c.UpsertComment(ctx, f.pr, "no migrations any more", Run{ID: 3, Attempt: 1}, true)
	if res.Action != "updated" || !strings.Contains(f.phasegateComments()[0].Body, "no migrations any more") {
		t.Errorf("%+v", res)
	}
}

func TestReadOnlyTokenIsAPermissionError(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, "t-read")
	_, err := c.UpsertComment(context.Background(), f.pr, "x", Run{ID: 1, Attempt: 1}, false)
	if !IsPermission(err) || !strings.Contains(err.Error(), "pull-requests: write") || !strings.Contains(err.Error(), "fork") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "t-read") {
		t.Error("the token leaked into the error")
	}
}

func TestErrorsSayWhatIsMissing(t *testing.T) {
	f := newFixture(t)
	_, err := f.client(t, "t-wrong").UpsertComment(context.Background(), f.pr, "x", Run{}, false)
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "t-wrong") {
		t.Errorf("401: %v", err)
	}
	_, err = f.client(t, "t-write").UpsertComment(context.Background(), 999, "x", Run{}, false)
	if err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "#999") {
		t.Errorf("404: %v", err)
	}
}

// refuse is a transport that answers no request, as a dry run without a
// token does.
type refuse struct{}

func (refuse) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("this call needs a GitHub token")
}

// TestUnansweredCallIsNamedOnce: a call that got no answer says what it
// was for and why, without Go's rendering of the request (Get "https://…
// ?head=acme%3A…"), which only repeats the call.
func TestUnansweredCallIsNamedOnce(t *testing.T) {
	c, err := New(Options{Repository: "acme/shop", HTTPClient: &http.Client{Transport: refuse{}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PullsForBranch(context.Background(), "phasegate/contract/0002_x")
	if err == nil || err.Error() != "list pull requests of phasegate/contract/0002_x: this call needs a GitHub token" {
		t.Errorf("err = %v", err)
	}
}

func TestRetriesServerErrorsAndRateLimits(t *testing.T) {
	f := newFixture(t)
	f.s.Fault("GET", "/repos/acme/shop/issues/{n}/comments", fakegithub.Response{Status: 502}, fakegithub.Response{Status: 503})
	f.s.Fault("POST", "/repos/acme/shop/issues/{n}/comments", fakegithub.SecondaryRateLimit(7*time.Second))
	c := f.client(t, "t-write")
	res, err := c.UpsertComment(context.Background(), f.pr, "x", Run{ID: 1, Attempt: 1}, false)
	if err != nil || res.Action != "created" {
		t.Fatalf("%+v %v", res, err)
	}
	if f.s.PendingFaults() != 0 {
		t.Error("faults not all consumed")
	}
	want := []time.Duration{time.Second, 2 * time.Second, 7 * time.Second}
	if fmt.Sprint(f.waits) != fmt.Sprint(want) {
		t.Errorf("waits = %v, want %v (backoff, then Retry-After)", f.waits, want)
	}
}

func TestPrimaryRateLimitWaitsForReset(t *testing.T) {
	f := newFixture(t)
	now := time.Unix(1_800_000_000, 0)
	f.s.Fault("GET", "/repos/acme/shop/issues/{n}/comments", fakegithub.PrimaryRateLimit(now.Add(30*time.Second)))
	c := f.client(t, "t-write")
	c.tr.policy.Now = func() time.Time { return now }
	if _, err := c.UpsertComment(context.Background(), f.pr, "x", Run{ID: 1, Attempt: 1}, false); err != nil {
		t.Fatal(err)
	}
	if len(f.waits) != 1 || f.waits[0] != 31*time.Second {
		t.Errorf("waits = %v, want [31s] (until X-RateLimit-Reset)", f.waits)
	}
}

func TestWaitBeyondTheBoundFails(t *testing.T) {
	f := newFixture(t)
	f.s.Fault("GET", "/repos/acme/shop/issues/{n}/comments", fakegithub.SecondaryRateLimit(time.Hour))
	_, err := f.client(t, "t-write").UpsertComment(context.Background(), f.pr, "x", Run{}, false)
	if err == nil || len(f.waits) != 0 {
		t.Fatalf("err = %v, waits %v: a one-hour Retry-After must not be waited", err, f.waits)
	}
}

func TestPaginationAndConditionalRequests(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 130; i++ {
		f.repo.AddComment(f.pr, "alice", fmt.Sprintf("comment %d", i))
	}
	c := f.client(t, "t-write")
	ctx := context.Background()
	if _, err := c.UpsertComment(ctx, f.pr, "report", Run{ID: 1, Attempt: 1}, false); err != nil {
		t.Fatal(err)
	}
	// The marker comment is on page 2: the second run must find it, not
	// create another.
	f.s.ClearRequests()
	res, err := c.UpsertComment(ctx, f.pr, "report 2", Run{ID: 2, Attempt: 1}, false)
	if err != nil || res.Action != "updated" || len(f.phasegateComments()) != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	pages, conditional := 0, 0
	for _, r := range f.s.Requests() {
		if r.Method == "GET" {
			pages++
			if r.IfNoneMatch {
				conditional++
			}
		}
	}
	if pages < 2 || conditional == 0 {
		t.Errorf("%d GETs, %d conditional: the unchanged first page should be asked with If-None-Match", pages, conditional)
	}
}

// TestCommentSurvivesServerErrors injects on each write of the comment
// upsert a 5xx that GitHub answered after doing the write (or without
// doing it), then runs the upsert twice more: one phasegate comment
// remains, with the last run's report, and no comment was ever posted
// twice (each post notifies everyone on the pull request).
func TestCommentSurvivesServerErrors(t *testing.T) {
	type fault struct {
		method, pattern string
		responses       []fakegithub.Response
	}
	five := func(r fakegithub.Response) []fakegithub.Response { return []fakegithub.Response{r, r, r, r, r} }
	cases := map[string]struct {
		// dup starts with two phasegate comments, as two racing runs leave.
		dup   bool
		fault fault
	}{
		"post applied once":     {fault: fault{"POST", "/repos/acme/shop/issues/*/comments", []fakegithub.Response{fakegithub.AppliedButFailed(502)}}},
		"post applied always":   {fault: fault{"POST", "/repos/acme/shop/issues/*/comments", five(fakegithub.AppliedButFailed(502))}},
		"post refused":          {fault: fault{"POST", "/repos/acme/shop/issues/*/comments", []fakegithub.Response{fakegithub.Refused(502), fakegithub.Refused(500)}}},
		"post refused always":   {fault: fault{"POST", "/repos/acme/shop/issues/*/comments", five(fakegithub.Refused(503))}},
		"edit applied always":   {dup: true, fault: fault{"PATCH", "/repos/acme/shop/issues/comments/*", five(fakegithub.AppliedButFailed(502))}},
		"edit refused always":   {dup: true, fault: fault{"PATCH", "/repos/acme/shop/issues/comments/*", five(fakegithub.Refused(502))}},
		"delete applied always": {dup: true, fault: fault{"DELETE", "/repos/acme/shop/issues/comments/*", five(fakegithub.AppliedButFailed(502))}},
		"delete refused always": {dup: true, fault: fault{"DELETE", "/repos/acme/shop/issues/comments/*", five(fakegithub.Refused(500))}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			if tc.dup {
				f.repo.AddComment(f.pr, fakegithub.DefaultLogin, Marker+"\n<!-- phasegate:run 1.1 -->\nold")
				f.repo.AddComment(f.pr, fakegithub.DefaultLogin, Marker+"\n<!-- phasegate:run 1.2 -->\nold")
			}
			f.s.Fault(tc.fault.method, tc.fault.pattern, tc.fault.responses...)
			c := f.client(t, "t-write")
			_, err := c.UpsertComment(ctx, f.pr, "report 2", Run{ID: 2, Attempt: 1}, false)
			t.Logf("first run: %v", err)
			for i, run := range []Run{{ID: 3, Attempt: 1}, {ID: 3, Attempt: 2}} {
				if _, err := c.UpsertComment(ctx, f.pr, "report 3", run, false); err != nil {
					t.Fatalf("run %d: %v", i+2, err)
				}
			}
			mine := f.phasegateComments()
			if len(mine) != 1 || !strings.Contains(mine[0].Body, "report 3") || !strings.Contains(mine[0].Body, "phasegate:run 3.2") {
				t.Fatalf("comments after the runs: %+v", mine)
			}
			posted := 0
			for _, r := range f.s.Requests() {
				if r.Method == "POST" && (r.Status == 201 || r.Applied) {
					posted++
				}
			}
			if want := map[bool]int{true: 0, false: 1}[tc.dup]; posted != want {
				t.Errorf("%d comments posted, want %d", posted, want)
			}
		})
	}
}

// TestWriteOnceSendsAgainOnlyWhenItKnows: after a server error, a write is
// sent again only when the look says it did not take effect; when the look
// fails too, or the error was a refusal, it is not.
func TestWriteOnceSendsAgainOnlyWhenItKnows(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, "t-write")
	ctx := context.Background()
	status := func(code int) error {
		return &gh.ErrorResponse{Response: &http.Response{StatusCode: code, Request: &http.Request{Method: "POST", URL: &url.URL{}}}}
	}
	for _, tc := range []struct {
		name      string
		err       error
		applied   bool
		lookErr   error
		wantSends int
		wantErr   bool
	}{
		{"502, not there: sent again until the budget is spent", status(502), false, nil, 5, true},
		{"502, there: done", status(502), true, nil, 1, false},
		{"502, cannot look: not sent again", status(502), false, errors.New("list failed"), 1, true},
		{"422, there (a concurrent run): done", status(422), true, nil, 1, false},
		{"422, not there: a refusal is not retried", status(422), false, nil, 1, true},
		{"403: not retried", status(403), false, nil, 1, true},
	} {
		sends := 0
		err := c.writeOnce(ctx, func() error { sends++; return tc.err }, func() (bool, error) { return tc.applied, tc.lookErr })
		if sends != tc.wantSends || (err != nil) != tc.wantErr {
			t.Errorf("%s: %d sends, err %v", tc.name, sends, err)
		}
	}
}
