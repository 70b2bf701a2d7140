package fakegithub

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Documentation URLs used in error bodies.
const (
	docBase               = "https://docs.github.com/rest"
	docPrimaryRateLimit   = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"
	docSecondaryRateLimit = "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)

// json writes v as the JSON response with the status.
func (c *call) json(status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("fakegithub: encoding response: %v", err))
	}
	c.out.status = status
	c.out.header.Set("Content-Type", "application/json; charset=utf-8")
	c.out.body = append(b, '\n')
}

// created writes a 201 with a Location header.
func (c *call) created(location string, v any) {
	c.out.header.Set("Location", location)
	c.json(http.StatusCreated, v)
}

// noContent writes a 204.
func (c *call) noContent() {
	c.out.status = http.StatusNoContent
	c.out.body = nil
}

// errorBody is GitHub's error document.
type errorBody struct {
	Message          string       `json:"message"`
	Errors           []fieldError `json:"errors,omitempty"`
	DocumentationURL string       `json:"documentation_url"`
	Status           string       `json:"status"`
}

// fieldError is one entry of a 422's "errors".
type fieldError struct {
	Resource string `json:"resource,omitempty"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message,omitempty"`
}

func (c *call) errorMessage(status int, msg string) {
	c.json(status, errorBody{Message: msg, DocumentationURL: c.doc, Status: strconv.Itoa(status)})
}

func (c *call) notFound() { c.errorMessage(http.StatusNotFound, "Not Found") }

// unprocessable writes a 422 with a plain message, as GitHub does for Git
// data errors ("Reference already exists", ...).
func (c *call) unprocessable(msg string) { c.errorMessage(http.StatusUnprocessableEntity, msg) }

// validationFailed writes GitHub's 422 "Validation Failed" with details.
func (c *call) validationFailed(errs ...fieldError) {
	c.json(http.StatusUnprocessableEntity, errorBody{Message: "Validation Failed", Errors: errs,
		DocumentationURL: c.doc, Status: "422"})
}

// decode parses the JSON request body into v. On failure it writes GitHub's
// error (400 for malformed JSON, 422 for a wrong type) and returns false.
func (c *call) decode(v any) bool {
	if len(c.trimBody()) == 0 {
		c.errorMessage(http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	err := json.Unmarshal(c.body, v)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return true
	case errors.As(err, &typeErr):
		c.unprocessable(fmt.Sprintf("Invalid request.\n\nFor 'properties/%s', %s is not %s.",
			typeErr.Field, typeErr.Value, article(typeErr.Type.String())))
	default:
		c.errorMessage(http.StatusBadRequest, "Problems parsing JSON")
	}
	return false
}

func article(typ string) string {
	switch {
	case strings.HasPrefix(typ, "*"):
		return article(typ[1:])
	case typ == "string":
		return "a string"
	case strings.HasPrefix(typ, "[]"):
		return "an array"
	case strings.HasPrefix(typ, "int"):
		return "an integer"
	case typ == "bool":
		return "a boolean"
	}
	return "an object"
}

// paginate returns the page of items the request asks for and sets the Link
// header, the way GitHub does: per_page defaults to 30 and is capped at 100;
// page counts from 1; a page past the end is empty.
func paginate[T any](c *call, items []T) []T {
	per := 30
	if v, err := strconv.Atoi(c.query.Get("per_page")); err == nil && v > 0 {
		per = min(v, 100)
	}
	page := 1
	if v, err := strconv.Atoi(c.query.Get("page")); err == nil && v > 0 {
		page = v
	}
	last := max(1, (len(items)+per-1)/per)
	// GitHub keeps the query as it was and puts page last.
	var keep []string
	for _, kv := range strings.Split(c.r.URL.RawQuery, "&") {
		if k, _, _ := strings.Cut(kv, "="); kv != "" && k != "page" {
			keep = append(keep, kv)
		}
	}
	link := func(p int, rel string) string {
		q := strings.Join(append(keep[:len(keep):len(keep)], "page="+strconv.Itoa(p)), "&")
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, c.s.URL, c.r.URL.EscapedPath(), q, rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(min(page-1, last), "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		c.out.header.Set("Link", strings.Join(links, ", "))
	}
	lo := min((page-1)*per, len(items))
	hi := min(lo+per, len(items))
	out := items[lo:hi]
	if out == nil {
		out = []T{} // encode as [], never null
	}
	return out
}

// Timestamps are rendered as GitHub does: RFC 3339 in UTC, in seconds.
type ts = *string

func timestamp(t time.Time) ts {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// nodeID makes a GraphQL node id in GitHub's legacy format, base64 of
// "<len>:<Type><key>".
func nodeID(typ string, key any) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%02d:%s%v", len(typ), typ, key)))
}

// api is the URL of an API resource, path starting with "/". It has the
// "/api/v3" prefix when the request had it, as on GitHub Enterprise.
func (c *call) api(path string) string { return c.s.URL + c.prefix + path }

// html is the URL of a web page, path starting with "/". The fake does not
// serve it; it has GitHub Enterprise's layout (pages at the root).
func (c *call) html(path string) string { return c.s.URL + path }

// escapePath escapes each segment of a slash-separated path.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// userJSON is GitHub's simple user object.
type userJSON struct {
	Login             string `json:"login"`
	ID                int64  `json:"id"`
	NodeID            string `json:"node_id"`
	AvatarURL         string `json:"avatar_url"`
	GravatarID        string `json:"gravatar_id"`
	URL               string `json:"url"`
	HTMLURL           string `json:"html_url"`
	FollowersURL      string `json:"followers_url"`
	FollowingURL      string `json:"following_url"`
	GistsURL          string `json:"gists_url"`
	StarredURL        string `json:"starred_url"`
	SubscriptionsURL  string `json:"subscriptions_url"`
	OrganizationsURL  string `json:"organizations_url"`
	ReposURL          string `json:"repos_url"`
	EventsURL         string `json:"events_url"`
	ReceivedEventsURL string `json:"received_events_url"`
	Type              string `json:"type"`
	SiteAdmin         bool   `json:"site_admin"`
}

func (c *call) userJSON(u *user) *userJSON {
	if u == nil {
		return nil
	}
	api := c.api("/users/" + url.PathEscape(u.login))
	return &userJSON{
		Login:             u.login,
		ID:                u.id,
		NodeID:            nodeID(u.typ, u.id),
		AvatarURL:         fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", u.id),
		URL:               api,
		HTMLURL:           c.html("/" + url.PathEscape(u.login)),
		FollowersURL:      api + "/followers",
		FollowingURL:      api + "/following{/other_user}",
		GistsURL:          api + "/gists{/gist_id}",
		StarredURL:        api + "/starred{/owner}{/repo}",
		SubscriptionsURL:  api + "/subscriptions",
		OrganizationsURL:  api + "/orgs",
		ReposURL:          api + "/repos",
		EventsURL:         api + "/events{/privacy}",
		ReceivedEventsURL: api + "/received_events",
		Type:              u.typ,
	}
}

// pathInt parses a numeric path parameter; on failure it writes a 404.
func (c *call) pathInt(name string) (int64, bool) {
	v, err := strconv.ParseInt(c.params[name], 10, 64)
	if err != nil || v <= 0 {
		c.notFound()
		return 0, false
	}
	return v, true
}
