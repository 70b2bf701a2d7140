// Package fakegithub is a stateful fake of the GitHub REST API v3, served by
// an httptest.Server, for testing code that talks to GitHub (phasegate's
// bot) end to end with a real client such as go-github.
//
// Unlike canned HTTP stubs, the fake keeps state: a comment created by one
// request is listed by the next, a branch updated through the Git data API
// moves the head of the pull request that uses it, and so on. That makes it
// possible to test properties such as "the bot updates its comment instead
// of posting a second one" or "a rerun is idempotent", and to race two runs
// against each other.
//
// # Usage
//
//	s := fakegithub.New()
//	defer s.Close()
//	s.AddToken("t-write", fakegithub.Write)
//	repo := s.AddRepo("acme", "shop") // default branch "main"
//	repo.Commit("main", "init", map[string]string{"README.md": "hi\n"})
//	repo.Commit("feature", "change", map[string]string{"a.sql": "select 1;\n"})
//	pr := repo.AddPull(fakegithub.Pull{Head: "feature", Title: "Add a"})
//
//	client := github.NewClient(nil).WithAuthToken("t-write")
//	client.BaseURL, _ = url.Parse(s.URL + "/")
//	// ... run the code under test with client ...
//	comments := repo.Comments(pr.Number) // assert on the state directly
//
// The server answers under both "/" and "/api/v3/" (the GitHub Enterprise
// layout go-github's WithEnterpriseURLs uses), so either kind of base URL
// works.
//
// # Behaviour shared by every endpoint
//
//   - Authentication: "Authorization: token X" or "Bearer X" with a token
//     registered by AddToken. A missing header gives 401 "Requires
//     authentication", an unknown token 401 "Bad credentials". A Read token
//     may only GET; any write gives 403 "Resource not accessible by
//     integration", as for the token of a pull request from a fork.
//   - Rate limits: every response carries X-RateLimit-Limit, -Remaining,
//     -Reset, -Used and -Resource, counted per token in an hourly window; a
//     304 is not counted. When a token's budget is spent (see SetRateLimit)
//     requests get GitHub's primary rate limit 403.
//   - Pagination: list endpoints take per_page (default 30, at most 100) and
//     page, and send a Link header with rel="prev", "next", "last" and
//     "first" in GitHub's format.
//   - Conditional requests: a successful GET carries a weak ETag; a GET whose
//     If-None-Match matches gets 304 Not Modified with an empty body.
//   - Errors: 404 {"message":"Not Found"}, 422 {"message":"Validation
//     Failed","errors":[...]} and the other messages GitHub sends, each with
//     a documentation_url.
//   - Faults: Fault makes the next matching requests fail with given
//     responses (5xx, primary or secondary rate limits, ...). A fault is
//     refused (nothing happens, see Refused) or, with Response.Applied,
//     applied: the write takes effect and the client still gets the error
//     (see AppliedButFailed), as when GitHub answers 502 after creating the
//     pull request.
//   - Requests returns a log of every request for assertions.
//
// # Release assets
//
// Repo.AddReleaseAsset attaches a file to a release. The API lists it in the
// release's "assets" and, asked for it with "Accept:
// application/octet-stream", redirects (302) to its browser_download_url,
// {URL}/{owner}/{repo}/releases/download/{tag}/{name}, which the fake serves
// without authentication, as GitHub serves a public repository's downloads.
//
// # Reviews and issues
//
// Pull request reviews and their line comments (pulls/{n}/reviews,
// pulls/{n}/comments, pulls/comments/{id}) follow the pull request's diff:
// a comment may only sit on lines the diff shows on the new side, and
// goes outdated when a push changes its lines (see reviews.go for how the
// fake's notion of outdated is simpler than GitHub's). Issues can be
// opened, listed and edited through the API; Repo.EditIssue edits one as
// a person would, to tick a checkbox.
//
// # Git data
//
// Each repository has a content-addressed object store that computes real
// git object ids, so ids returned by the fake equal the ones git computes.
// Repo.ImportGit copies a local repository (for example one built with
// package gittest) into the fake, Repo.ExportRef writes what the fake holds
// back into a local repository.
//
// All state is guarded by one mutex: requests are handled one at a time
// (each one atomic, as on GitHub), so concurrent clients are safe but see
// the interleavings a real server would allow. Accessors (Repo.Comments,
// Repo.Pull, ...) return copies and may be called at any time.
//
// Accessors that set up state panic on misuse (an unknown branch or pull
// request), like a failed precondition in a test.
package fakegithub
