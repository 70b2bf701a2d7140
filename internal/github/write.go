package github

import (
	"context"
	"errors"
	"net/url"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// GitHub can answer a write with a server error after it did the work: the
// pull request is open, the ref moved, the comment posted, and the client
// sees 502. A client that takes that for "nothing happened" repeats the
// write (a second comment) or undoes what it did first (deleting a branch
// closes its pull request). So a write is either repeatable (sending it
// twice is the same as once) or goes through writeOnce, which looks before
// it sends again.

type repeatableKey struct{}

// repeatable marks the writes made with ctx as safe to send again after a
// server error: git objects (content-addressed: the same request makes the
// same object), labels and reviewers (sets: adding twice adds once).
func repeatable(ctx context.Context) context.Context {
	return context.WithValue(ctx, repeatableKey{}, true)
}

func isRepeatable(ctx context.Context) bool {
	v, _ := ctx.Value(repeatableKey{}).(bool)
	return v
}

// mayHaveApplied reports whether a failed write may have taken effect
// anyway: GitHub answered a server error, or the connection failed before
// an answer came.
func mayHaveApplied(err error) bool {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode >= 500
	}
	var rl *gh.RateLimitError
	var abuse *gh.AbuseRateLimitError
	if errors.As(err, &rl) || errors.As(err, &abuse) || errors.Is(err, context.Canceled) {
		return false
	}
	var ue *url.Error
	return errors.As(err, &ue)
}

// writeOnce sends a write that must not be repeated blindly. When it
// fails, applied looks at GitHub's state: if the write (or an equal one, by
// an earlier attempt or a concurrent run) is there, it succeeded. Otherwise
// a server error is retried with the transport's backoff, at most
// MaxRetries times; any other error is returned. When applied cannot tell
// (it fails too), nothing is sent again: a second write could duplicate the
// first, and the next run repairs what this one left.
func (c *Client) writeOnce(ctx context.Context, send func() error, applied func() (bool, error)) error {
	backoff := time.Second
	for attempt := 0; ; attempt++ {
		err := send()
		if err == nil {
			return nil
		}
		ok, checkErr := applied()
		switch {
		case checkErr == nil && ok:
			return nil
		case checkErr != nil || !mayHaveApplied(err) || attempt >= c.tr.policy.MaxRetries || ctx.Err() != nil:
			return err
		}
		c.tr.policy.Sleep(backoff)
		if backoff < 30*time.Second {
			backoff *= 2
		}
	}
}
