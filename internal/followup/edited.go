package followup

import (
	"context"
	"fmt"
	"strings"

	"github.com/phasegate/phasegate/internal/github"
)

// A follow-up branch holds one commit the bot made on a commit of the base
// branch. Once a person pushes to it (a fix, a merge of the base branch
// with GitHub's "Update branch" button), the pull request is theirs: the
// bot never rebases it (a force-push would throw their work away) nor
// rewrites its title and description again.

// editedBy says who else worked on the pull request's branch ("" when
// every commit on it is the bot's): the head's author when it is not the
// bot, or that the branch has commits under the bot's or a merge.
func (o Options) editedBy(ctx context.Context, p github.Pull) (string, error) {
	head, err := o.Client.GetCommit(ctx, p.HeadSHA)
	if err != nil {
		return "", err
	}
	switch {
	case !strings.EqualFold(head.AuthorEmail, github.BotEmail):
		return fmt.Sprintf("%s pushed commit %s to it", orDefault(head.AuthorName, head.AuthorEmail), short(head.SHA)), nil
	case len(head.Parents) != 1:
		return fmt.Sprintf("its head %s is a merge", short(head.SHA)), nil
	}
	n, err := o.Client.PullCommits(ctx, p.Number)
	if err != nil {
		return "", err
	}
	if n > 1 {
		return fmt.Sprintf("its branch holds %d commits, not the bot's one", n), nil
	}
	return "", nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
