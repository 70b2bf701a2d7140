package github

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RetryPolicy bounds how the client waits and retries.
type RetryPolicy struct {
	// MaxRetries for one request (default 4).
	MaxRetries int
	// MaxWait is the longest single wait phasegate accepts (default 60s):
	// a Retry-After or rate limit reset further away fails instead.
	MaxWait time.Duration
	// Sleep waits; tests replace it.
	Sleep func(time.Duration)
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// transport retries server errors and rate limits with bounded backoff,
// and makes GET requests conditional with the ETag of the last response
// (GitHub does not count 304 answers against the rate limit).
//
// A server error is retried only for a request that may be sent twice: a
// read, a PATCH, PUT or DELETE, or a POST marked repeatable. GitHub may
// answer 502 after it did the work, so repeating any other POST could open
// a second pull request or post a second comment; those go through
// writeOnce, which looks before it sends again. Rate limit refusals are
// retried for every request: GitHub did nothing.
type transport struct {
	base   http.RoundTripper
	policy RetryPolicy
	mu     sync.Mutex
	etags  map[string]cached
}

type cached struct {
	etag   string
	body   []byte
	header http.Header
}

func newTransport(base http.RoundTripper, p RetryPolicy) *transport {
	if p.MaxRetries == 0 {
		p.MaxRetries = 4
	}
	if p.MaxWait == 0 {
		p.MaxWait = 60 * time.Second
	}
	if p.Sleep == nil {
		p.Sleep = time.Sleep
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	return &transport{base: base, policy: p, etags: map[string]cached{}}
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	key := req.URL.String()
	var hit cached
	if req.Method == http.MethodGet {
		t.mu.Lock()
		hit = t.etags[key]
		t.mu.Unlock()
	}
	backoff := time.Second
	for attempt := 0; ; attempt++ {
		r := req.Clone(req.Context())
		if req.Body != nil && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r.Body = body
		}
		if hit.etag != "" {
			r.Header.Set("If-None-Match", hit.etag)
		}
		resp, err := t.base.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusNotModified && hit.etag != "" {
			resp.Body.Close()
			return &http.Response{Status: "200 OK", StatusCode: http.StatusOK, Header: hit.header.Clone(), Body: io.NopCloser(bytes.NewReader(hit.body)),
				Request: req, Proto: resp.Proto, ProtoMajor: resp.ProtoMajor, ProtoMinor: resp.ProtoMinor}, nil
		}
		wait, retry := t.retryAfter(resp, backoff, req.Method != http.MethodPost || isRepeatable(req.Context()))
		if !retry || attempt >= t.policy.MaxRetries || wait > t.policy.MaxWait || req.Context().Err() != nil {
			if req.Method == http.MethodGet && resp.StatusCode == http.StatusOK && resp.Header.Get("ETag") != "" {
				t.remember(key, resp)
			}
			return resp, nil
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		t.policy.Sleep(wait)
		if backoff < 30*time.Second {
			backoff *= 2
		}
	}
}

// retryAfter decides whether a response asks to be retried, and when;
// repeatable says whether a server error may be retried (see transport).
func (t *transport) retryAfter(resp *http.Response, backoff time.Duration, repeatable bool) (time.Duration, bool) {
	switch {
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		return backoff, repeatable
	case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests:
		if s := resp.Header.Get("Retry-After"); s != "" { // secondary rate limit
			if secs, err := strconv.Atoi(s); err == nil {
				return time.Duration(secs) * time.Second, true
			}
		}
		if resp.Header.Get("X-RateLimit-Remaining") == "0" { // primary rate limit
			if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
				wait := time.Unix(reset, 0).Sub(t.policy.Now()) + time.Second
				if wait < 0 {
					wait = time.Second
				}
				return wait, true
			}
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			return backoff, true
		}
		// A secondary rate limit without Retry-After: GitHub asks to wait at
		// least a minute.
		if isSecondaryLimit(resp) {
			return time.Minute, true
		}
	}
	return 0, false
}

// isSecondaryLimit peeks at a 403 body for GitHub's secondary rate limit
// message, leaving the body readable.
func isSecondaryLimit(resp *http.Response) bool {
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return err == nil && strings.Contains(strings.ToLower(string(b)), "secondary rate limit")
}

func (t *transport) remember(key string, resp *http.Response) {
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil {
		return
	}
	t.mu.Lock()
	t.etags[key] = cached{etag: resp.Header.Get("ETag"), body: b, header: resp.Header.Clone()}
	t.mu.Unlock()
}
