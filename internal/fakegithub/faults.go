package fakegithub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Response is an injected response: see Server.Fault.
type Response struct {
	// Status is the status code, for example 502.
	Status int
	// Header holds extra headers, for example Retry-After or
	// X-RateLimit-Remaining.
	Header http.Header
	// Body is the response body. When empty, a JSON error document
	// {"message": <status text>} is sent (nothing for 204 and 304).
	Body string
	// Applied makes the request take effect before the injected response
	// replaces the real one: GitHub did the work (created the pull
	// request, moved the ref, posted the comment) and then answered 502.
	// Without it the request is refused: it changes nothing.
	Applied bool
}

// Refused is a server error that GitHub answered without doing anything.
func Refused(status int) Response { return Response{Status: status} }

// AppliedButFailed is a server error that GitHub answered after doing the
// work: the write takes effect, the client sees status.
func AppliedButFailed(status int) Response { return Response{Status: status, Applied: true} }

type fault struct {
	method    string
	pattern   string
	responses []Response
}

var placeholder = regexp.MustCompile(`\{[^/}]*\}`)

// Fault makes the next len(responses) requests that match method and
// pattern get these responses, in order, instead of being handled; then
// normal behaviour resumes. Faulted requests are neither authenticated nor
// counted against the rate limit, and change no state; they carry the
// token's rate limit headers unless the fault sets X-RateLimit-Remaining.
// A response with Applied set is the exception: the request is handled
// first (authenticated, counted, its writes done), then answered with the
// injected response, as when GitHub times out behind its proxy after the
// work is done.
//
// method is an HTTP method, or "" or "*" for any. pattern is matched against
// the request path (without any "/api/v3" prefix, unescaped) with path.Match,
// where "*" matches one segment; "{name}" placeholders are the same as "*".
// For example:
//
//	s.Fault("POST", "/repos/acme/shop/issues/*/comments", fakegithub.Response{Status: 502})
//	s.Fault("GET", "/repos/{owner}/{repo}/pulls", fakegithub.SecondaryRateLimit(time.Second))
//	s.Fault("POST", "/repos/{owner}/{repo}/pulls", fakegithub.AppliedButFailed(502))
//
// Faults registered by several calls are used in the order they were
// registered.
func (s *Server) Fault(method, pattern string, responses ...Response) {
	pattern = placeholder.ReplaceAllString(pattern, "*")
	if _, err := path.Match(pattern, ""); err != nil {
		panic(fmt.Sprintf("fakegithub: bad fault pattern %q: %v", pattern, err))
	}
	if len(responses) == 0 {
		panic("fakegithub: Fault without responses")
	}
	if method == "*" {
		method = ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, pattern: pattern,
		responses: append([]Response(nil), responses...)})
}

// ClearFaults drops the injected responses not used yet.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// PendingFaults returns how many injected responses have not been used yet.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += len(f.responses)
	}
	return n
}

// takeFaultLocked returns the injected response for a request, if any.
func (s *Server) takeFaultLocked(method, p string) (Response, bool) {
	for i, f := range s.faults {
		if f.method != "" && f.method != method {
			continue
		}
		if ok, _ := path.Match(f.pattern, p); !ok {
			continue
		}
		r := f.responses[0]
		f.responses = f.responses[1:]
		if len(f.responses) == 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		return r, true
	}
	return Response{}, false
}

func (c *call) writeFault(f Response) {
	c.out.status = f.Status
	if f.Header.Get("X-RateLimit-Remaining") != "" { // the fault's rate limit replaces the token's
		for k := range c.out.header {
			if strings.HasPrefix(k, "X-Ratelimit-") {
				c.out.header.Del(k)
			}
		}
	}
	for k, v := range f.Header {
		c.out.header[http.CanonicalHeaderKey(k)] = append([]string(nil), v...)
	}
	c.out.body = []byte(f.Body)
	if f.Body == "" && f.Status != http.StatusNoContent && f.Status != http.StatusNotModified {
		b, _ := json.Marshal(map[string]string{"message": http.StatusText(f.Status)})
		c.out.body = b
	}
	if c.out.header.Get("Content-Type") == "" && len(c.out.body) > 0 {
		c.out.header.Set("Content-Type", "application/json; charset=utf-8")
	}
}

// SecondaryRateLimit is the 403 GitHub sends when a client exceeds a
// secondary rate limit (too many concurrent requests, too many writes per
// minute, ...): a Retry-After header in whole seconds and a
// documentation_url that go-github recognises as an *AbuseRateLimitError.
func SecondaryRateLimit(retryAfter time.Duration) Response {
	body, _ := json.Marshal(errorBody{
		Message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. " +
			"If you reach out to GitHub Support for help, please include the request ID FAKE:0000:000000.",
		DocumentationURL: docSecondaryRateLimit,
		Status:           "403",
	})
	h := http.Header{}
	h.Set("Retry-After", strconv.Itoa(int((retryAfter+time.Second-1)/time.Second)))
	return Response{Status: http.StatusForbidden, Header: h, Body: string(body)}
}

// PrimaryRateLimit is the 403 GitHub sends when a token has spent its hourly
// budget: X-RateLimit-Remaining 0 and X-RateLimit-Reset at reset, which
// go-github recognises as a *RateLimitError. (go-github then refuses further
// requests without sending them until reset; pick a reset close to now in
// tests that go on.)
func PrimaryRateLimit(reset time.Time) Response {
	body, _ := json.Marshal(errorBody{
		Message:          "API rate limit exceeded for installation ID 1.",
		DocumentationURL: docPrimaryRateLimit,
		Status:           "403",
	})
	h := http.Header{}
	h.Set("X-RateLimit-Limit", strconv.Itoa(defaultRateLimit))
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Used", strconv.Itoa(defaultRateLimit))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	return Response{Status: http.StatusForbidden, Header: h, Body: string(body)}
}
