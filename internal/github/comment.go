package github

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	gh "github.com/google/go-github/v60/github"
)

// Comment markers: every phasegate comment starts with Marker; runMarker
// records the workflow run that wrote it, so an older run finishing late
// does not overwrite a newer one.
const (
	Marker    = "<!-- phasegate:comment -->"
	runPrefix = "<!-- phasegate:run "
)

var runRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<!-- phasegate:run (\d+)\.(\d+) -->`) })

// Run identifies a workflow run: GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT.
type Run struct {
	ID, Attempt int64
}

func (r Run) marker() string { return fmt.Sprintf("%s%d.%d -->", runPrefix, r.ID, r.Attempt) }

func (r Run) newerThan(o Run) bool {
	if r.ID != o.ID {
		return r.ID > o.ID
	}
	return r.Attempt > o.Attempt
}

func runOf(body string) Run {
	m := runRe().FindStringSubmatch(body)
	if m == nil {
		return Run{}
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	at, _ := strconv.ParseInt(m[2], 10, 64)
	return Run{id, at}
}

// Upsert is what UpsertComment did.
type Upsert struct {
	Action string // created, updated, unchanged, skipped (a newer run wrote), none (nothing to update)
	ID     int64
	URL    string
	// Deleted counts duplicate comments removed (left by racing runs).
	Deleted int
}

// UpsertComment keeps exactly one phasegate comment on pull request pr:
// it finds it again by Marker and updates it in place, or creates it. With
// onlyIfExists, a missing comment is not created (nothing to say). Two runs
// racing may both create one; each then keeps the oldest comment, gives it
// the newest run's body and deletes the others, so one remains. A comment
// is never posted again after GitHub answered an error: it looks for it
// first (a 502 may come after the comment was posted).
func (c *Client) UpsertComment(ctx context.Context, pr int, body string, run Run, onlyIfExists bool) (Upsert, error) {
	if !strings.HasPrefix(body, Marker) {
		body = Marker + "\n" + body
	}
	body = strings.Replace(body, Marker, Marker+"\n"+run.marker(), 1)
	mine, err := c.phasegateComments(ctx, pr)
	if err != nil {
		return Upsert{}, err
	}
	if len(mine) == 0 {
		if onlyIfExists {
			return Upsert{Action: "none"}, nil
		}
		var created *gh.IssueComment
		err := c.writeOnce(ctx, func() error {
			var err error
			created, _, err = c.gh.Issues.CreateComment(ctx, c.Owner, c.Repo, pr, &gh.IssueComment{Body: &body})
			return err
		}, func() (bool, error) {
			found, err := c.phasegateComments(ctx, pr)
			return len(found) > 0, err
		})
		if err != nil {
			return Upsert{}, Explain(err, fmt.Sprintf("post the phasegate comment on pull request #%d", pr), "pull-requests: write")
		}
		// A concurrent run may have created one too: settle on one.
		if mine, err = c.phasegateComments(ctx, pr); err != nil {
			return Upsert{}, err
		}
		if len(mine) == 0 { // the list does not show it yet
			return Upsert{Action: "created", ID: created.GetID(), URL: created.GetHTMLURL()}, nil
		}
		res, err := c.settle(ctx, mine, body, run)
		if res.Action == "unchanged" {
			res.Action = "created"
		}
		return res, err
	}
	return c.settle(ctx, mine, body, run)
}

// settle keeps the oldest phasegate comment with the newest run's body,
// and deletes the others.
func (c *Client) settle(ctx context.Context, mine []*gh.IssueComment, body string, run Run) (Upsert, error) {
	keep := mine[0]
	want, wantRun := body, run
	for _, cm := range mine {
		if r := runOf(cm.GetBody()); r.newerThan(wantRun) {
			want, wantRun = cm.GetBody(), r
		}
	}
	res := Upsert{ID: keep.GetID(), URL: keep.GetHTMLURL(), Action: "unchanged"}
	if keep.GetBody() != want {
		if _, _, err := c.gh.Issues.EditComment(ctx, c.Owner, c.Repo, keep.GetID(), &gh.IssueComment{Body: &want}); err != nil {
			return res, Explain(err, "update the phasegate comment", "pull-requests: write")
		}
		res.Action = "updated"
	}
	if wantRun != run {
		res.Action = "skipped" // a newer run's report stays
	}
	for _, dup := range mine[1:] {
		_, err := c.gh.Issues.DeleteComment(ctx, c.Owner, c.Repo, dup.GetID())
		if err != nil && !isNotFound(err) { // a racing run may have deleted it first
			return res, Explain(err, "delete a duplicate phasegate comment", "pull-requests: write")
		}
		res.Deleted++
	}
	return res, nil
}

// phasegateComments lists the pull request's comments that carry Marker,
// oldest first.
func (c *Client) phasegateComments(ctx context.Context, pr int) ([]*gh.IssueComment, error) {
	var mine []*gh.IssueComment
	err := each(ctx, func(o gh.ListOptions) ([]*gh.IssueComment, *gh.Response, error) {
		return c.gh.Issues.ListComments(ctx, c.Owner, c.Repo, pr, &gh.IssueListCommentsOptions{ListOptions: o})
	}, func(ic *gh.IssueComment) bool {
		if strings.HasPrefix(ic.GetBody(), Marker) {
			mine = append(mine, ic)
		}
		return true
	})
	if err != nil {
		return nil, Explain(err, fmt.Sprintf("list the comments of pull request #%d", pr), "pull-requests: read")
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i].GetID() < mine[j].GetID() })
	return mine, nil
}

func isNotFound(err error) bool {
	var er *gh.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == 404
}
