package fakegithub_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

func TestAuthentication(t *testing.T) {
	s, repo, _ := setup(t)
	n := repo.AddIssue("bug")

	_, _, err := newClient(t, s, "").Repositories.Get(ctx, "acme", "shop")
	if er := errorResponse(t, err, 401); er.Message != "Requires authentication" {
		t.Errorf("no token: message %q", er.Message)
	}
	_, _, err = newClient(t, s, "nope").Repositories.Get(ctx, "acme", "shop")
	if er := errorResponse(t, err, 401); er.Message != "Bad credentials" {
		t.Errorf("unknown token: message %q", er.Message)
	}

	// "Authorization: token X" works as well as go-github's "Bearer X".
	req, _ := http.NewRequest("GET", s.URL+"/repos/acme/shop", nil)
	req.Header.Set("Authorization", "token t-read")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("token scheme: status %d", resp.StatusCode)
	}

	// A read token reads but cannot write, like a fork's GITHUB_TOKEN.
	read := newClient(t, s, "t-read")
	r, _, err := read.Repositories.Get(ctx, "acme", "shop")
	if err != nil {
		t.Fatal(err)
	}
	if r.GetPermissions()["push"] {
		t.Error("read token has push permission")
	}
	_, _, err = read.Issues.CreateComment(ctx, "acme", "shop", n, &github.IssueComment{Body: github.String("hi")})
	if er := errorResponse(t, err, 403); er.Message != "Resource not accessible by integration" {
		t.Errorf("read token write: message %q", er.Message)
	}
	if got := repo.Comments(n); len(got) != 0 {
		t.Errorf("forbidden write left comments: %v", got)
	}
}

func TestGetRepository(t *testing.T) {
	s, _, gh := setup(t)
	r, _, err := gh.Repositories.Get(ctx, "ACME", "Shop") // names ignore case
	if err != nil {
		t.Fatal(err)
	}
	if r.GetFullName() != "acme/shop" || r.GetDefaultBranch() != "main" || r.GetOwner().GetLogin() != "acme" ||
		!r.GetPermissions()["push"] || r.GetID() == 0 || r.GetHTMLURL() != s.URL+"/acme/shop" ||
		r.GetURL() != s.URL+"/repos/acme/shop" {
		t.Errorf("repository: %v", r)
	}
}

func TestNotFound(t *testing.T) {
	_, _, gh := setup(t)
	_, _, err := gh.Repositories.Get(ctx, "acme", "nope")
	if er := errorResponse(t, err, 404); er.Message != "Not Found" {
		t.Errorf("message %q", er.Message)
	}
	_, _, err = gh.PullRequests.Get(ctx, "acme", "shop", 99)
	errorResponse(t, err, 404)
	_, _, err = gh.Issues.GetComment(ctx, "acme", "shop", 12345)
	errorResponse(t, err, 404)
	req, _ := gh.NewRequest("GET", "repos/acme/shop/no/such/endpoint", nil)
	_, err = gh.Do(ctx, req, nil)
	errorResponse(t, err, 404)
}

func TestMalformedBody(t *testing.T) {
	s, repo, gh := setup(t)
	n := repo.AddIssue("bug")
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/repos/acme/shop/issues/%d/comments", s.URL, n), strings.NewReader("{"))
	req.Header.Set("Authorization", "Bearer t-write")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "Problems parsing JSON") {
		t.Errorf("malformed JSON: %d %s", resp.StatusCode, body)
	}
	// A wrong type is a 422.
	r2, _ := gh.NewRequest("POST", fmt.Sprintf("repos/acme/shop/issues/%d/comments", n), map[string]any{"body": 5})
	_, err = gh.Do(ctx, r2, nil)
	if er := errorResponse(t, err, 422); !strings.Contains(er.Message, "is not a string") {
		t.Errorf("wrong type: %q", er.Message)
	}
}

func TestConditionalRequests(t *testing.T) {
	s, repo, gh := setup(t)
	repo.Commit("feature", "f", map[string]string{"f.sql": "select 1;\n"})
	pr := repo.AddPull(fakegithub.Pull{Head: "feature", Title: "Feature"})

	_, resp, err := gh.PullRequests.Get(ctx, "acme", "shop", pr.Number)
	if err != nil {
		t.Fatal(err)
	}
	etag := resp.Header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) || !strings.HasSuffix(etag, `"`) {
		t.Fatalf("ETag %q", etag)
	}
	remaining := resp.Rate.Remaining

	// Same ETag: 304 with an empty body, not counted against the limit.
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/repos/acme/shop/pulls/%d", s.URL, pr.Number), nil)
	req.Header.Set("Authorization", "Bearer t-write")
	req.Header.Set("If-None-Match", etag)
	raw, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(raw.Body)
	raw.Body.Close()
	if raw.StatusCode != 304 || len(body) != 0 || raw.Header.Get("ETag") != etag {
		t.Fatalf("conditional GET: %d %q ETag %q", raw.StatusCode, body, raw.Header.Get("ETag"))
	}
	if got, _ := strconv.Atoi(raw.Header.Get("X-RateLimit-Remaining")); got != remaining {
		t.Errorf("304 counted: remaining %d, was %d", got, remaining)
	}

	// go-github reports a 304 as an *ErrorResponse with the status.
	greq, _ := gh.NewRequest("GET", fmt.Sprintf("repos/acme/shop/pulls/%d", pr.Number), nil)
	greq.Header.Set("If-None-Match", strings.TrimPrefix(etag, "W/")) // weak comparison
	_, err = gh.Do(ctx, greq, nil)
	errorResponse2(t, err, 304)

	// A change gives a new ETag.
	if _, _, err := gh.PullRequests.Edit(ctx, "acme", "shop", pr.Number, &github.PullRequest{Title: github.String("New")}); err != nil {
		t.Fatal(err)
	}
	greq, _ = gh.NewRequest("GET", fmt.Sprintf("repos/acme/shop/pulls/%d", pr.Number), nil)
	greq.Header.Set("If-None-Match", etag)
	var got github.PullRequest
	resp, err = gh.Do(ctx, greq, &got)
	if err != nil || got.GetTitle() != "New" || resp.Header.Get("ETag") == etag {
		t.Fatalf("after a change: %v %q %q", err, got.GetTitle(), resp.Header.Get("ETag"))
	}

	var sawINM int
	for _, r := range s.Requests() {
		if r.IfNoneMatch {
			sawINM++
		}
	}
	if sawINM != 3 {
		t.Errorf("log records %d conditional requests, want 3", sawINM)
	}
}

func TestRateLimitHeaders(t *testing.T) {
	s, _, gh := setup(t)
	clock := newClock(s)
	_, r1, err := gh.Repositories.Get(ctx, "acme", "shop")
	if err != nil {
		t.Fatal(err)
	}
	_, r2, err := gh.Repositories.Get(ctx, "acme", "shop")
	if err != nil {
		t.Fatal(err)
	}
	if r1.Rate.Limit != 5000 || r1.Rate.Remaining != 4999 || r2.Rate.Remaining != 4998 ||
		!r1.Rate.Reset.Time.Equal(clock.now().Add(time.Hour)) {
		t.Errorf("rates %+v then %+v", r1.Rate, r2.Rate)
	}
	if r2.Header.Get("X-RateLimit-Used") != "2" || r2.Header.Get("X-RateLimit-Resource") != "core" {
		t.Errorf("headers %v", r2.Header)
	}

	// Spending the budget gives GitHub's primary rate limit error.
	s.SetRateLimit(3)
	if _, _, err := gh.Repositories.Get(ctx, "acme", "shop"); err != nil {
		t.Fatal(err)
	}
	_, _, err = gh.Repositories.Get(ctx, "acme", "shop")
	var rle *github.RateLimitError
	if !errors.As(err, &rle) || rle.Rate.Remaining != 0 || rle.Response.StatusCode != 403 {
		t.Fatalf("over budget: %v", err)
	}
	// A new window starts after the reset.
	clock.advance(time.Hour)
	other := newClient(t, s, "t-write") // go-github refuses until Reset by the real clock
	if _, _, err := other.Repositories.Get(ctx, "acme", "shop"); err != nil {
		t.Fatalf("next window: %v", err)
	}
}

func TestFaultInjection(t *testing.T) {
	s, repo, gh := setup(t)
	n := repo.AddIssue("bug")
	s.Fault("POST", "/repos/{owner}/{repo}/issues/*/comments",
		fakegithub.Response{Status: 502},
		fakegithub.Response{Status: 503, Header: http.Header{"Retry-After": {"1"}}, Body: `{"message":"busy"}`})
	if s.PendingFaults() != 2 {
		t.Fatalf("pending %d", s.PendingFaults())
	}
	post := func() error {
		_, _, err := gh.Issues.CreateComment(ctx, "acme", "shop", n, &github.IssueComment{Body: github.String("x")})
		return err
	}
	// Requests that do not match are not affected.
	if _, _, err := gh.Issues.ListComments(ctx, "acme", "shop", n, nil); err != nil {
		t.Fatal(err)
	}
	if er := errorResponse2(t, post(), 502); er.Message != "Bad Gateway" {
		t.Errorf("first fault: %q", er.Message)
	}
	er := errorResponse2(t, post(), 503)
	if er.Message != "busy" || er.Response.Header.Get("Retry-After") != "1" || er.Response.Header.Get("X-RateLimit-Remaining") == "" {
		t.Errorf("second fault: %q %v", er.Message, er.Response.Header)
	}
	if len(repo.Comments(n)) != 0 {
		t.Error("faulted requests changed state")
	}
	if err := post(); err != nil {
		t.Fatalf("after the faults: %v", err)
	}
	if len(repo.Comments(n)) != 1 || s.PendingFaults() != 0 {
		t.Errorf("comments %v, pending %d", repo.Comments(n), s.PendingFaults())
	}
	var statuses []int
	for _, r := range s.Requests() {
		if r.Method == "POST" {
			statuses = append(statuses, r.Status)
			if r.Fault != (r.Status >= 500) {
				t.Errorf("request %+v: Fault flag", r)
			}
		}
	}
	if fmt.Sprint(statuses) != "[502 503 201]" {
		t.Errorf("POST statuses %v", statuses)
	}
}

// errorResponse2 is errorResponse for injected errors, which carry no
// documentation_url.
func errorResponse2(t *testing.T, err error, status int) *github.ErrorResponse {
	t.Helper()
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != status {
		t.Fatalf("error %v, want an *ErrorResponse with status %d", err, status)
	}
	return er
}

func TestRateLimitFaults(t *testing.T) {
	s, _, _ := setup(t)
	s.Fault("GET", "/repos/acme/shop", fakegithub.SecondaryRateLimit(1500*time.Millisecond))
	_, _, err := newClient(t, s, "t-write").Repositories.Get(ctx, "acme", "shop")
	var abuse *github.AbuseRateLimitError
	if !errors.As(err, &abuse) {
		t.Fatalf("secondary rate limit: %v (%T)", err, err)
	}
	if abuse.GetRetryAfter() != 2*time.Second || !strings.Contains(abuse.Message, "secondary rate limit") {
		t.Errorf("secondary rate limit: retry after %v, message %q", abuse.GetRetryAfter(), abuse.Message)
	}

	reset := time.Now().Add(time.Minute).Truncate(time.Second)
	s.Fault("", "/repos/acme/*", fakegithub.PrimaryRateLimit(reset))
	gh := newClient(t, s, "t-write")
	_, _, err = gh.Repositories.Get(ctx, "acme", "shop")
	var rle *github.RateLimitError
	if !errors.As(err, &rle) {
		t.Fatalf("primary rate limit: %v (%T)", err, err)
	}
	if rle.Rate.Remaining != 0 || !rle.Rate.Reset.Time.Equal(reset) {
		t.Errorf("primary rate limit: %+v", rle.Rate)
	}
}

func TestConcurrentRequests(t *testing.T) {
	s, repo, _ := setup(t)
	s.AddTokenAs("t-other", "other-bot[bot]", fakegithub.Write)
	n := repo.AddIssue("race")
	clients := []*github.Client{newClient(t, s, "t-write"), newClient(t, s, "t-other")}
	const perClient = 25
	var wg sync.WaitGroup
	errs := make(chan error, 4*perClient)
	for _, gh := range clients {
		for i := 0; i < perClient; i++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, _, err := gh.Issues.CreateComment(ctx, "acme", "shop", n,
					&github.IssueComment{Body: github.String(fmt.Sprint("comment ", i))})
				errs <- err
			}()
			go func() {
				defer wg.Done()
				_, _, err := gh.Issues.ListComments(ctx, "acme", "shop", n, &github.IssueListCommentsOptions{})
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := repo.Comments(n)
	if len(got) != 2*perClient {
		t.Fatalf("%d comments, want %d", len(got), 2*perClient)
	}
	seen := map[int64]bool{}
	byUser := map[string]int{}
	for i, c := range got {
		if seen[c.ID] || (i > 0 && c.ID <= got[i-1].ID) {
			t.Fatalf("ids not unique and increasing: %v", got)
		}
		seen[c.ID] = true
		byUser[c.User]++
	}
	if byUser[fakegithub.DefaultLogin] != perClient || byUser["other-bot[bot]"] != perClient {
		t.Errorf("comments by user: %v", byUser)
	}
}

func TestRequestLog(t *testing.T) {
	s, repo, gh := setup(t)
	n := repo.AddIssue("bug")
	s.ClearRequests()
	if _, _, err := gh.Issues.ListComments(ctx, "acme", "shop", n, &github.IssueListCommentsOptions{
		ListOptions: github.ListOptions{PerPage: 10}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := gh.Git.GetRef(ctx, "acme", "shop", "heads/feature/x"); err == nil {
		t.Fatal("missing ref found")
	}
	log := s.Requests()
	if len(log) != 2 {
		t.Fatalf("log %+v", log)
	}
	if r := log[0]; r.Method != "GET" || r.Path != fmt.Sprintf("/repos/acme/shop/issues/%d/comments", n) ||
		r.Query.Get("per_page") != "10" || r.Status != 200 || r.Token != "t-write" || r.IsWrite() || r.IfNoneMatch {
		t.Errorf("first entry %+v", r)
	}
	if r := log[1]; r.Path != "/repos/acme/shop/git/ref/heads/feature/x" || r.Status != 404 {
		t.Errorf("second entry %+v", r)
	}
}

func TestEnterpriseBaseURL(t *testing.T) {
	s, repo, _ := setup(t)
	n := repo.AddIssue("bug")
	for i := 0; i < 3; i++ {
		repo.AddComment(n, "alice", fmt.Sprint("c", i))
	}
	gh, err := github.NewClient(nil).WithAuthToken("t-write").WithEnterpriseURLs(s.URL+"/", s.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	cs, resp, err := gh.Issues.ListComments(ctx, "acme", "shop", n, &github.IssueListCommentsOptions{
		ListOptions: github.ListOptions{PerPage: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || resp.NextPage != 2 || !strings.HasPrefix(cs[0].GetURL(), s.URL+"/api/v3/repos/") ||
		!strings.Contains(resp.Header.Get("Link"), s.URL+"/api/v3/repos/acme/shop/issues/") {
		t.Errorf("comments %v, next %d, Link %q", cs, resp.NextPage, resp.Header.Get("Link"))
	}
	if r := s.Requests(); r[len(r)-1].Path != fmt.Sprintf("/repos/acme/shop/issues/%d/comments", n) {
		t.Errorf("logged path %q", r[len(r)-1].Path)
	}
}
