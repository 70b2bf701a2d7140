package fakegithub_test

import (
	"context"
	"fmt"
	"net/url"

	"github.com/google/go-github/v60/github"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

// A bot comments on a pull request; the test reads the state back.
func Example() {
	s := fakegithub.New()
	defer s.Close()
	s.AddToken("t-write", fakegithub.Write)
	repo := s.AddRepo("acme", "shop")
	repo.Commit("main", "init", map[string]string{"README.md": "shop\n"})
	repo.Commit("feature", "add a table", map[string]string{"db/001.sql": "create table a ();\n"})
	pr := repo.AddPull(fakegithub.Pull{Head: "feature", Title: "Add a table"})

	client := github.NewClient(nil).WithAuthToken("t-write")
	client.BaseURL, _ = url.Parse(s.URL + "/")
	_, _, err := client.Issues.CreateComment(context.Background(), "acme", "shop", pr.Number,
		&github.IssueComment{Body: github.String("phasegate: 1 migration checked")})
	if err != nil {
		panic(err)
	}

	for _, c := range repo.Comments(pr.Number) {
		fmt.Printf("%s: %s\n", c.User, c.Body)
	}
	writes := 0
	for _, r := range s.Requests() {
		if r.IsWrite() {
			writes++
		}
	}
	fmt.Println("writes:", writes)
	// Output:
	// github-actions[bot]: phasegate: 1 migration checked
	// writes: 1
}
