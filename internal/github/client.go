// Package github is phasegate's only door to the GitHub REST API, a thin
// adapter over go-github: it retries what GitHub asks to be retried,
// paginates every list, makes GETs conditional, and turns permission
// errors into messages that say which permission is missing.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// Options configure a Client.
type Options struct {
	// Token authenticates (GITHUB_TOKEN, a GitHub App installation token
	// or a fine-grained token). It never appears in errors or logs.
	Token string
	// APIURL is GITHUB_API_URL: https://api.github.com (the default) or a
	// GitHub Enterprise Server's https://HOST/api/v3.
	APIURL string
	// Repository is "owner/name".
	Repository string
	// HTTPClient, if set, is used instead of http.DefaultClient's transport.
	HTTPClient *http.Client
	// Retry bounds the retries; zero values take the defaults.
	Retry RetryPolicy
}

// Client talks to one repository.
type Client struct {
	gh          *gh.Client
	tr          *transport
	Owner, Repo string
}

// New returns a client for opts.Repository.
func New(opts Options) (*Client, error) {
	owner, repo, ok := strings.Cut(opts.Repository, "/")
	if !ok || owner == "" || repo == "" {
		return nil, fmt.Errorf("repository %q: give it as owner/name (GITHUB_REPOSITORY)", opts.Repository)
	}
	base := http.DefaultTransport
	if opts.HTTPClient != nil && opts.HTTPClient.Transport != nil {
		base = opts.HTTPClient.Transport
	}
	tr := newTransport(base, opts.Retry)
	hc := &http.Client{Transport: tr}
	if opts.HTTPClient != nil {
		hc.Timeout = opts.HTTPClient.Timeout
	}
	if hc.Timeout == 0 {
		hc.Timeout = 5 * time.Minute
	}
	c := gh.NewClient(hc)
	if opts.Token != "" {
		c = c.WithAuthToken(opts.Token)
	}
	if opts.APIURL != "" && strings.TrimSuffix(opts.APIURL, "/") != "https://api.github.com" {
		u, err := url.Parse(strings.TrimSuffix(opts.APIURL, "/") + "/")
		if err != nil {
			return nil, fmt.Errorf("GitHub API URL %q: %w", opts.APIURL, err)
		}
		c.BaseURL = u
	}
	return &Client{gh: c, tr: tr, Owner: owner, Repo: repo}, nil
}

// GitHub exposes go-github's client for the follow-up bot's Git Data calls.
func (c *Client) GitHub() *gh.Client { return c.gh }

// Explain turns an API error into a message that says what to do. what
// names the operation ("post the pull request comment"), permission the
// token permission it needs ("pull-requests: write").
func Explain(err error, what, permission string) error {
	if err == nil {
		return nil
	}
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		msg := er.Message
		switch er.Response.StatusCode {
		case http.StatusUnauthorized:
			return fmt.Errorf("%s: GitHub rejected the token (401 %s): check the token input; a GitHub App token expires after an hour", what, msg)
		case http.StatusForbidden:
			return &PermissionError{What: what, Permission: permission, Message: msg}
		case http.StatusNotFound:
			return fmt.Errorf("%s: not found (404): the repository, pull request or ref does not exist, or the token cannot see it (a private repository needs contents: read; the token needs %s)", what, permission)
		case http.StatusUnprocessableEntity:
			return fmt.Errorf("%s: GitHub refused it (422 %s%s)", what, msg, validationDetails(er))
		}
		return fmt.Errorf("%s: GitHub answered %d %s", what, er.Response.StatusCode, msg)
	}
	var rl *gh.RateLimitError
	if errors.As(err, &rl) {
		return fmt.Errorf("%s: the token's rate limit is exhausted until %s", what, rl.Rate.Reset.Format(time.RFC3339))
	}
	var abuse *gh.AbuseRateLimitError
	if errors.As(err, &abuse) {
		return fmt.Errorf("%s: GitHub's secondary rate limit still applies after retries; run again later", what)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// The request never got an answer. what names the call; the
		// request's URL (escaped, with its query) would only repeat it.
		return fmt.Errorf("%s: %w", what, ue.Err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func validationDetails(er *gh.ErrorResponse) string {
	var parts []string
	for _, e := range er.Errors {
		s := strings.TrimSpace(e.Resource + " " + e.Field + " " + e.Code + " " + e.Message)
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, "; ")
}

// PermissionError is a 403: the token lacks a permission (for a pull
// request from a fork, the token is read-only whatever the workflow asks).
type PermissionError struct {
	What, Permission, Message string
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("%s: the token may not do this (403 %s): the workflow needs `permissions: %s`; on a pull request from a fork the token is read-only, so use the workflow_run example in docs/", e.What, e.Message, e.Permission)
}

// IsPermission reports whether err is a missing permission (403).
func IsPermission(err error) bool {
	var pe *PermissionError
	return errors.As(err, &pe)
}

// each pages through a list call, GitHub's 100 items at a time.
func each[T any](ctx context.Context, list func(opts gh.ListOptions) ([]T, *gh.Response, error), fn func(T) bool) error {
	opts := gh.ListOptions{PerPage: 100}
	for {
		items, resp, err := list(opts)
		if err != nil {
			return err
		}
		for _, it := range items {
			if !fn(it) {
				return nil
			}
		}
		if resp == nil || resp.NextPage == 0 {
			return nil
		}
		opts.Page = resp.NextPage
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}
