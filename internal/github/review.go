package github

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	gh "github.com/google/go-github/v60/github"
)

// One-click fixes are review comments with a suggestion block on the
// lines they rewrite. phasegate files them as one review per push, never
// twice: a suggestion still shown (not outdated) from an earlier push or
// run is kept, and edited in place when its text changed; one no longer
// wanted is deleted; only the new ones go into a review, the push's one.
// An outdated suggestion (its lines changed, by applying it or otherwise)
// is left as GitHub shows it, collapsed.

// ReviewMarker starts the body of phasegate's suggestion reviews;
// suggestionPrefix starts each of their comments, with the suggestion's
// key.
const (
	ReviewMarker     = "<!-- phasegate:suggestions -->"
	suggestionPrefix = "<!-- phasegate:suggestion "
)

var suggestionRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^<!-- phasegate:suggestion (.+?) -->`) })

// Suggestion is a review comment on lines StartLine to Line of Path (the
// new side; StartLine 0 for one line), whose Body holds a suggestion
// block.
type Suggestion struct {
	Path            string
	StartLine, Line int
	// ID tells suggestions on the same lines apart (the rule id).
	ID   string
	Body string
}

// key identifies a suggestion from run to run: its place and its ID.
func (s Suggestion) key() string {
	return fmt.Sprintf("%s:%d-%d %s", s.Path, max(s.StartLine, 1), s.Line, s.ID)
}

// body is the comment's text, with the marker that names it.
func (s Suggestion) body() string { return suggestionPrefix + s.key() + " -->\n" + s.Body }

// Suggestions is what UpsertSuggestions did.
type Suggestions struct {
	// Action: posted (a review with the new suggestions), kept (nothing
	// new), skipped (the pull request's head is not the commit).
	Action string
	// Posted, Kept, Edited, Deleted and Held count suggestions: in the new
	// review, already shown, shown and edited in place, no longer wanted,
	// and new but held back because this commit's review exists already.
	Posted, Kept, Edited, Deleted, Held int
	URL                                 string
}

// shownSuggestion is one of phasegate's suggestion comments.
type shownSuggestion struct {
	id      int64
	key     string
	body    string
	current bool // GitHub shows it on the diff (not outdated)
}

// UpsertSuggestions makes the pull request show exactly these suggestions
// on commit (its head): see the comment at the top of the file. When the
// head has moved on, it does nothing: the suggestions of an older commit
// would be outdated, and a newer run posts the current ones.
func (c *Client) UpsertSuggestions(ctx context.Context, pr int, commit string, want []Suggestion, run Run) (Suggestions, error) {
	p, _, err := c.gh.PullRequests.Get(ctx, c.Owner, c.Repo, pr)
	if err != nil {
		return Suggestions{}, Explain(err, fmt.Sprintf("read pull request #%d", pr), "pull-requests: read")
	}
	if head := p.GetHead().GetSHA(); head != commit {
		return Suggestions{Action: "skipped"}, nil
	}
	if err := c.finishPending(ctx, pr, commit); err != nil {
		return Suggestions{}, err
	}
	shown, err := c.shownSuggestions(ctx, pr)
	if err != nil {
		return Suggestions{}, err
	}
	res := Suggestions{Action: "kept"}
	byKey := map[string]shownSuggestion{}
	for _, s := range shown {
		if !s.current {
			continue
		}
		if _, dup := byKey[s.key]; dup { // left by racing runs: the oldest stays
			if err := c.deleteReviewComment(ctx, s.id); err != nil {
				return res, err
			}
			res.Deleted++
			continue
		}
		byKey[s.key] = s
	}
	var fresh []Suggestion
	wanted := map[string]bool{}
	for _, s := range want {
		if wanted[s.key()] {
			continue
		}
		wanted[s.key()] = true
		old, ok := byKey[s.key()]
		switch {
		case !ok:
			fresh = append(fresh, s)
		case old.body != s.body():
			body := s.body()
			if _, _, err := c.gh.PullRequests.EditComment(ctx, c.Owner, c.Repo, old.id, &gh.PullRequestComment{Body: &body}); err != nil {
				return res, Explain(err, "update a phasegate suggestion", "pull-requests: write")
			}
			res.Edited++
		default:
			res.Kept++
		}
	}
	for key, s := range byKey {
		if !wanted[key] {
			if err := c.deleteReviewComment(ctx, s.id); err != nil {
				return res, err
			}
			res.Deleted++
		}
	}
	if len(fresh) == 0 {
		return res, nil
	}
	rs, err := c.reviewsOf(ctx, pr, commit)
	if err != nil {
		return res, err
	}
	if existing := rs.filed; existing != nil {
		// This commit has its review (an earlier run's): comments cannot
		// be added to it, and a second review is what must not happen.
		res.Held, res.URL = len(fresh), existing.GetHTMLURL()
		return res, nil
	}
	posted, err := c.postReview(ctx, pr, commit, fresh, run)
	if err != nil || posted == nil {
		return res, err
	}
	res.Action, res.Posted, res.URL = "posted", len(fresh), posted.GetHTMLURL()
	return res, nil
}

// postReview files the suggestions as one review of commit. The review is
// made pending first, then submitted only if no review of commit was
// filed meanwhile. GitHub lets a user hold one pending review per pull
// request, so of runs racing on the same commit, one holds the pending
// review at a time; whoever sees it (it, or a later run's finishPending)
// submits it unless the same look shows the commit's review filed, and
// deletes it then. It returns nil when another run files the review.
func (c *Client) postReview(ctx context.Context, pr int, commit string, fresh []Suggestion, run Run) (*gh.PullRequestReview, error) {
	sort.Slice(fresh, func(i, j int) bool { return fresh[i].key() < fresh[j].key() })
	req := &gh.PullRequestReviewRequest{CommitID: &commit, Body: gh.String(reviewBody(len(fresh), commit, run))}
	for _, s := range fresh {
		d := &gh.DraftReviewComment{Path: gh.String(s.Path), Line: gh.Int(s.Line), Side: gh.String("RIGHT"), Body: gh.String(s.body())}
		if s.StartLine > 0 && s.StartLine < s.Line {
			d.StartLine, d.StartSide = gh.Int(s.StartLine), gh.String("RIGHT")
		}
		req.Comments = append(req.Comments, d)
	}
	err := c.writeOnce(ctx, func() error {
		_, _, err := c.gh.PullRequests.CreateReview(ctx, c.Owner, c.Repo, pr, req)
		return err
	}, func() (bool, error) {
		rs, err := c.reviewsOf(ctx, pr, commit)
		return rs.pending != nil || rs.filed != nil, err
	})
	if err != nil && strings.Contains(err.Error(), "one pending review") {
		return nil, nil // a concurrent run holds the pending review and files it
	}
	if err != nil {
		return nil, Explain(err, fmt.Sprintf("post the phasegate suggestions on pull request #%d", pr), "pull-requests: write")
	}
	if err := c.finishPending(ctx, pr, commit); err != nil {
		return nil, err
	}
	rs, err := c.reviewsOf(ctx, pr, commit)
	return rs.filed, err
}

// finishPending deals with the pending suggestion review a run holds or
// left (it died, or GitHub failed it, between making the review and
// submitting it): one of commit is submitted, unless the same look shows
// commit's review filed already; the others are deleted.
func (c *Client) finishPending(ctx context.Context, pr int, commit string) error {
	rs, err := c.reviewsOf(ctx, pr, commit)
	if err != nil || rs.pending == nil {
		return err
	}
	id := rs.pending.GetID()
	if rs.pending.GetCommitID() != commit || rs.filed != nil {
		if _, _, err := c.gh.PullRequests.DeletePendingReview(ctx, c.Owner, c.Repo, pr, id); err != nil && !isNotFound(err) {
			return Explain(err, "delete a pending phasegate review", "pull-requests: write")
		}
		return nil
	}
	err = c.writeOnce(ctx, func() error {
		_, _, err := c.gh.PullRequests.SubmitReview(ctx, c.Owner, c.Repo, pr, id, &gh.PullRequestReviewRequest{Event: gh.String("COMMENT")})
		return err
	}, func() (bool, error) {
		rs, err := c.reviewsOf(ctx, pr, commit)
		return rs.filed != nil, err
	})
	return Explain(err, fmt.Sprintf("submit the phasegate suggestions on pull request #%d", pr), "pull-requests: write")
}

// reviews is one look at phasegate's suggestion reviews of a pull
// request: the pending one (of any commit), and the first filed for the
// commit.
type reviews struct {
	pending, filed *gh.PullRequestReview
}

func (c *Client) reviewsOf(ctx context.Context, pr int, commit string) (reviews, error) {
	var out reviews
	err := each(ctx, func(o gh.ListOptions) ([]*gh.PullRequestReview, *gh.Response, error) {
		return c.gh.PullRequests.ListReviews(ctx, c.Owner, c.Repo, pr, &o)
	}, func(rv *gh.PullRequestReview) bool {
		switch {
		case !strings.HasPrefix(rv.GetBody(), ReviewMarker):
		case rv.GetState() == "PENDING":
			out.pending = rv
		case rv.GetCommitID() == commit && out.filed == nil:
			out.filed = rv
		}
		return true
	})
	return out, Explain(err, fmt.Sprintf("list the reviews of pull request #%d", pr), "pull-requests: read")
}

// reviewBody is the body of the review that carries a push's suggestions.
func reviewBody(n int, commit string, run Run) string {
	fixes := "one-click fix"
	if n != 1 {
		fixes += "es"
	}
	return fmt.Sprintf("%s\n%s\n**phasegate**: %d %s for %s, each on the lines it rewrites (the full report is in phasegate's comment). Once one is applied, its finding goes away on the next check.",
		ReviewMarker, run.marker(), n, fixes, short(commit))
}

// shownSuggestions lists phasegate's suggestion comments on the pull
// request, oldest first.
func (c *Client) shownSuggestions(ctx context.Context, pr int) ([]shownSuggestion, error) {
	var out []shownSuggestion
	err := each(ctx, func(o gh.ListOptions) ([]*gh.PullRequestComment, *gh.Response, error) {
		return c.gh.PullRequests.ListComments(ctx, c.Owner, c.Repo, pr, &gh.PullRequestListCommentsOptions{ListOptions: o})
	}, func(cm *gh.PullRequestComment) bool {
		if m := suggestionRe().FindStringSubmatch(cm.GetBody()); m != nil {
			out = append(out, shownSuggestion{id: cm.GetID(), key: m[1], body: cm.GetBody(), current: cm.Line != nil})
		}
		return true
	})
	if err != nil {
		return nil, Explain(err, fmt.Sprintf("list the review comments of pull request #%d", pr), "pull-requests: read")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, nil
}

// deleteReviewComment deletes a review comment; one already gone (a
// racing run, or a DELETE GitHub did before it answered 502) is fine.
func (c *Client) deleteReviewComment(ctx context.Context, id int64) error {
	_, err := c.gh.PullRequests.DeleteComment(ctx, c.Owner, c.Repo, id)
	if err != nil && !isNotFound(err) {
		return Explain(err, "delete a phasegate suggestion", "pull-requests: write")
	}
	return nil
}

// FileAt returns the content of a file at a commit; ok is false when the
// commit has no such file.
func (c *Client) FileAt(ctx context.Context, path, commit string) (content string, ok bool, err error) {
	fc, _, resp, err := c.gh.Repositories.GetContents(ctx, c.Owner, c.Repo, path, &gh.RepositoryContentGetOptions{Ref: commit})
	if resp != nil && resp.StatusCode == 404 {
		return "", false, nil
	}
	if err != nil {
		return "", false, Explain(err, fmt.Sprintf("read %s at %s", path, short(commit)), "contents: read")
	}
	if fc == nil {
		return "", false, nil // a directory
	}
	s, err := fc.GetContent()
	if err != nil {
		return "", false, fmt.Errorf("read %s at %s: %w", path, short(commit), err)
	}
	return s, true, nil
}
