package fakegithub_test

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

var ctx = context.Background()

// newClient returns a go-github client for the fake that authenticates with
// tok ("" for none).
func newClient(t *testing.T, s *fakegithub.Server, tok string) *github.Client {
	t.Helper()
	c := github.NewClient(nil)
	if tok != "" {
		c = c.WithAuthToken(tok)
	}
	u, err := url.Parse(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

// setup starts a server with a write token "t-write", a read token "t-read"
// and the repository acme/shop with one commit on main.
func setup(t *testing.T) (*fakegithub.Server, *fakegithub.Repo, *github.Client) {
	t.Helper()
	s := fakegithub.New()
	t.Cleanup(s.Close)
	s.AddToken("t-write", fakegithub.Write)
	s.AddToken("t-read", fakegithub.Read)
	repo := s.AddRepo("acme", "shop")
	repo.Commit("main", "init", map[string]string{"README.md": "shop\n"})
	return s, repo, newClient(t, s, "t-write")
}

// errorResponse asserts that err is a *github.ErrorResponse with the status.
func errorResponse(t *testing.T, err error, status int) *github.ErrorResponse {
	t.Helper()
	var er *github.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("error %v (%T) is not a *github.ErrorResponse", err, err)
	}
	if er.Response.StatusCode != status {
		t.Fatalf("status %d, want %d: %v", er.Response.StatusCode, status, err)
	}
	if er.DocumentationURL == "" {
		t.Errorf("no documentation_url in %v", err)
	}
	return er
}

// fakeClock is a settable clock for Server.SetNow.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(s *fakegithub.Server) *fakeClock {
	c := &fakeClock{t: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	s.SetNow(c.now)
	return c
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
