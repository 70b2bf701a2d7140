package fakegithub_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/phasegate/phasegate/internal/fakegithub"
)

func TestReleases(t *testing.T) {
	s, repo, gh := setup(t)
	day := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	repo.AddRelease(fakegithub.Release{TagName: "v1.0.0", Name: "1.0.0", CreatedAt: day(1)})
	v11 := repo.AddRelease(fakegithub.Release{TagName: "v1.1.0", Name: "1.1.0", Body: "notes", CreatedAt: day(2)})
	repo.AddRelease(fakegithub.Release{TagName: "v2.0.0-rc.1", Prerelease: true, CreatedAt: day(3)})
	repo.AddRelease(fakegithub.Release{TagName: "v2.0.0", Draft: true, CreatedAt: day(4)})

	names := func(rs []*github.RepositoryRelease) string {
		var ns []string
		for _, r := range rs {
			ns = append(ns, r.GetTagName())
		}
		return strings.Join(ns, " ")
	}
	rs, _, err := gh.Repositories.ListReleases(ctx, "acme", "shop", nil)
	if err != nil || names(rs) != "v2.0.0 v2.0.0-rc.1 v1.1.0 v1.0.0" {
		t.Errorf("releases (write token): %v %s", err, names(rs))
	}
	if !rs[0].GetDraft() || rs[0].PublishedAt != nil || !rs[1].GetPrerelease() || rs[2].GetBody() != "notes" ||
		!rs[2].GetPublishedAt().Time.Equal(day(2)) || rs[2].GetAuthor().GetLogin() != fakegithub.DefaultLogin {
		t.Errorf("fields: %v", rs)
	}
	// Drafts are only listed for tokens with push access.
	rs, _, err = newClient(t, s, "t-read").Repositories.ListReleases(ctx, "acme", "shop", nil)
	if err != nil || names(rs) != "v2.0.0-rc.1 v1.1.0 v1.0.0" {
		t.Errorf("releases (read token): %v %s", err, names(rs))
	}

	latest, _, err := gh.Repositories.GetLatestRelease(ctx, "acme", "shop")
	if err != nil || latest.GetID() != v11.ID || latest.GetHTMLURL() != s.URL+"/acme/shop/releases/tag/v1.1.0" {
		t.Errorf("latest: %v %v", err, latest)
	}
	byTag, _, err := gh.Repositories.GetReleaseByTag(ctx, "acme", "shop", "v1.0.0")
	if err != nil || byTag.GetName() != "1.0.0" {
		t.Errorf("by tag: %v %v", err, byTag)
	}
	if got := repo.Releases(); len(got) != 4 || got[0].TagName != "v2.0.0" {
		t.Errorf("Releases: %v", got)
	}

	s.AddRepo("acme", "none").Commit("main", "init", map[string]string{"a": "a"})
	_, _, err = gh.Repositories.GetLatestRelease(ctx, "acme", "none")
	errorResponse(t, err, 404)
}

func TestDeployments(t *testing.T) {
	_, repo, gh := setup(t)
	main, _ := repo.Ref("heads/main")
	next := repo.Commit("main", "next", map[string]string{"b": "b"})
	d1 := repo.AddDeployment(fakegithub.Deployment{SHA: main, Environment: "production"})
	d2 := repo.AddDeployment(fakegithub.Deployment{Environment: "staging"}) // main's tip
	d3 := repo.AddDeployment(fakegithub.Deployment{SHA: next, Ref: "v2", Environment: "production"})
	repo.AddDeploymentStatus(d1.ID, fakegithub.DeploymentStatus{State: "in_progress"})
	repo.AddDeploymentStatus(d1.ID, fakegithub.DeploymentStatus{State: "success", LogURL: "https://ci.invalid/1"})

	ids := func(opts *github.DeploymentsListOptions) string {
		t.Helper()
		ds, _, err := gh.Repositories.ListDeployments(ctx, "acme", "shop", opts)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, fmt.Sprint(d.GetID()))
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		opts *github.DeploymentsListOptions
		want string
	}{
		{nil, fmt.Sprintf("%d,%d,%d", d3.ID, d2.ID, d1.ID)},
		{&github.DeploymentsListOptions{Environment: "production"}, fmt.Sprintf("%d,%d", d3.ID, d1.ID)},
		{&github.DeploymentsListOptions{Environment: "production", SHA: main}, fmt.Sprint(d1.ID)},
		{&github.DeploymentsListOptions{SHA: next}, fmt.Sprintf("%d,%d", d3.ID, d2.ID)},
		{&github.DeploymentsListOptions{Ref: "v2"}, fmt.Sprint(d3.ID)},
		{&github.DeploymentsListOptions{Environment: "nope"}, ""},
	} {
		if got := ids(c.opts); got != c.want {
			t.Errorf("deployments %+v: %s, want %s", c.opts, got, c.want)
		}
	}
	d, _, err := gh.Repositories.GetDeployment(ctx, "acme", "shop", d2.ID)
	if err != nil || d.GetSHA() != next || d.GetRef() != "main" || d.GetTask() != "deploy" || d.GetEnvironment() != "staging" {
		t.Errorf("deployment: %v %v", err, d)
	}
	sts, _, err := gh.Repositories.ListDeploymentStatuses(ctx, "acme", "shop", d1.ID, nil)
	if err != nil || len(sts) != 2 || sts[0].GetState() != "success" || sts[0].GetLogURL() != "https://ci.invalid/1" ||
		sts[0].GetEnvironment() != "production" || sts[1].GetState() != "in_progress" {
		t.Errorf("statuses: %v %v", err, sts)
	}
	if got := repo.DeploymentStatuses(d1.ID); len(got) != 2 || got[0].State != "success" {
		t.Errorf("DeploymentStatuses: %v", got)
	}
	_, _, err = gh.Repositories.ListDeploymentStatuses(ctx, "acme", "shop", 999, nil)
	errorResponse(t, err, 404)
}

func TestReleaseAssets(t *testing.T) {
	s, repo, gh := setup(t)
	rel := repo.AddRelease(fakegithub.Release{TagName: "v1.2.3"})
	bin := repo.AddReleaseAsset(rel.ID, fakegithub.Asset{Name: "tool_1.2.3_linux_amd64.tar.gz", Data: []byte("archive")})
	sums := repo.AddReleaseAsset(rel.ID, fakegithub.Asset{Name: "checksums.txt", ContentType: "text/plain", Data: []byte("sums\n")})
	draft := repo.AddRelease(fakegithub.Release{TagName: "v2.0.0", Draft: true})
	secret := repo.AddReleaseAsset(draft.ID, fakegithub.Asset{Name: "draft.txt", Data: []byte("draft")})

	// The release lists its assets with both download URLs.
	got, _, err := gh.Repositories.GetReleaseByTag(ctx, "acme", "shop", "v1.2.3")
	if err != nil || len(got.Assets) != 2 {
		t.Fatalf("release: %v %v", err, got)
	}
	a := got.Assets[0]
	if a.GetID() != bin.ID || a.GetName() != bin.Name || a.GetSize() != 7 || a.GetState() != "uploaded" ||
		a.GetContentType() != "application/octet-stream" ||
		a.GetURL() != fmt.Sprintf("%s/repos/acme/shop/releases/assets/%d", s.URL, bin.ID) ||
		a.GetBrowserDownloadURL() != s.URL+"/acme/shop/releases/download/v1.2.3/tool_1.2.3_linux_amd64.tar.gz" {
		t.Errorf("asset: %v", a)
	}
	list, _, err := gh.Repositories.ListReleaseAssets(ctx, "acme", "shop", rel.ID, nil)
	if err != nil || len(list) != 2 || list[1].GetName() != "checksums.txt" || list[1].GetContentType() != "text/plain" {
		t.Errorf("list: %v %v", err, list)
	}

	// The API redirects to the content; go-github follows with the client given.
	rc, redirect, err := gh.Repositories.DownloadReleaseAsset(ctx, "acme", "shop", sums.ID, http.DefaultClient)
	if err != nil || redirect != "" {
		t.Fatalf("download: %v %q", err, redirect)
	}
	body, _ := io.ReadAll(rc)
	rc.Close()
	if string(body) != "sums\n" {
		t.Errorf("download: %q", body)
	}
	// Without the octet-stream Accept header the API answers JSON.
	one, _, err := gh.Repositories.GetReleaseAsset(ctx, "acme", "shop", sums.ID)
	if err != nil || one.GetName() != "checksums.txt" {
		t.Errorf("asset JSON: %v %v", err, one)
	}

	// The browser download URL needs no token.
	resp, err := http.Get(a.GetBrowserDownloadURL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "archive" {
		t.Errorf("browser download: %d %q", resp.StatusCode, body)
	}
	if n := repo.ReleaseAssets(rel.ID)[0].Downloads; n != 1 {
		t.Errorf("downloads of the archive: %d, want 1", n)
	}
	// A missing asset and a draft's assets are not served.
	for _, u := range []string{s.URL + "/acme/shop/releases/download/v1.2.3/nope", s.URL + "/acme/shop/releases/download/v2.0.0/draft.txt"} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", u, resp.StatusCode)
		}
	}
	_, _, err = newClient(t, s, "t-read").Repositories.GetReleaseAsset(ctx, "acme", "shop", secret.ID)
	errorResponse(t, err, 404)
}
