package fakegithub

import (
	"fmt"
	"net/http"
	"sort"
	"time"
)

type release struct {
	id          int64
	tagName     string
	target      string
	name        string
	body        string
	draft       bool
	prerelease  bool
	createdAt   time.Time
	publishedAt time.Time
	author      *user
	assets      []*asset
}

// Release is a release, as returned by accessors and taken by AddRelease.
type Release struct {
	ID              int64
	TagName         string
	TargetCommitish string // default: the default branch
	Name            string
	Body            string
	Draft           bool
	Prerelease      bool
	CreatedAt       time.Time // default: now
	PublishedAt     time.Time // default: CreatedAt, or none for a draft
	Author          string    // login; default DefaultLogin
}

func (rel *release) export() Release {
	return Release{ID: rel.id, TagName: rel.tagName, TargetCommitish: rel.target, Name: rel.name, Body: rel.body,
		Draft: rel.draft, Prerelease: rel.prerelease, CreatedAt: rel.createdAt, PublishedAt: rel.publishedAt,
		Author: rel.author.login}
}

// AddRelease creates a release and returns it (with its ID). The tag need
// not exist, as for a draft on GitHub.
func (r *Repo) AddRelease(rel Release) Release {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	x := &release{id: r.s.nextID("release"), tagName: rel.TagName,
		target: orDefault(rel.TargetCommitish, r.defaultBranch), name: rel.Name, body: rel.Body,
		draft: rel.Draft, prerelease: rel.Prerelease, createdAt: rel.CreatedAt.UTC().Truncate(time.Second),
		publishedAt: rel.PublishedAt.UTC().Truncate(time.Second),
		author:      r.s.userLocked(orDefault(rel.Author, DefaultLogin))}
	if x.createdAt.IsZero() {
		x.createdAt = r.s.clock()
	}
	if x.publishedAt.IsZero() && !x.draft {
		x.publishedAt = x.createdAt
	}
	if x.draft {
		x.publishedAt = time.Time{}
	}
	r.releases = append(r.releases, x)
	return x.export()
}

// Releases returns every release, newest first.
func (r *Repo) Releases() []Release {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []Release
	for _, rel := range r.sortedReleases() {
		out = append(out, rel.export())
	}
	return out
}

// sortedReleases returns the releases newest first, by created_at.
func (r *Repo) sortedReleases() []*release {
	out := append([]*release(nil), r.releases...)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].createdAt.Equal(out[j].createdAt) {
			return out[i].createdAt.After(out[j].createdAt)
		}
		return out[i].id > out[j].id
	})
	return out
}

type releaseJSON struct {
	URL             string      `json:"url"`
	AssetsURL       string      `json:"assets_url"`
	UploadURL       string      `json:"upload_url"`
	HTMLURL         string      `json:"html_url"`
	ID              int64       `json:"id"`
	Author          *userJSON   `json:"author"`
	NodeID          string      `json:"node_id"`
	TagName         string      `json:"tag_name"`
	TargetCommitish string      `json:"target_commitish"`
	Name            *string     `json:"name"`
	Draft           bool        `json:"draft"`
	Prerelease      bool        `json:"prerelease"`
	CreatedAt       ts          `json:"created_at"`
	PublishedAt     ts          `json:"published_at"`
	Assets          []assetJSON `json:"assets"`
	TarballURL      *string     `json:"tarball_url"`
	ZipballURL      *string     `json:"zipball_url"`
	Body            *string     `json:"body"`
}

func (c *call) releaseJSON(rel *release) releaseJSON {
	r := c.repo
	api := c.api(fmt.Sprintf("%s/releases/%d", r.path(), rel.id))
	tagPath := escapePath(rel.tagName)
	if rel.draft {
		tagPath = fmt.Sprintf("untagged-%x", rel.id*2654435761%(1<<32))
	}
	j := releaseJSON{
		URL:             api,
		AssetsURL:       api + "/assets",
		UploadURL:       fmt.Sprintf("%s/api/uploads%s/releases/%d/assets{?name,label}", c.s.URL, r.path(), rel.id),
		HTMLURL:         c.html(r.htmlPath() + "/releases/tag/" + tagPath),
		ID:              rel.id,
		Author:          c.userJSON(rel.author),
		NodeID:          nodeID("Release", rel.id),
		TagName:         rel.tagName,
		TargetCommitish: rel.target,
		Name:            nullable(rel.name),
		Draft:           rel.draft,
		Prerelease:      rel.prerelease,
		CreatedAt:       timestamp(rel.createdAt),
		PublishedAt:     timestamp(rel.publishedAt),
		Assets:          c.assetsJSON(rel),
		Body:            nullable(rel.body),
	}
	if !rel.draft {
		tar := c.api(r.path() + "/tarball/" + escapePath(rel.tagName))
		zip := c.api(r.path() + "/zipball/" + escapePath(rel.tagName))
		j.TarballURL, j.ZipballURL = &tar, &zip
	}
	return j
}

// visible reports whether the requester may see a release: drafts are only
// shown to tokens with push access.
func (c *call) visible(rel *release) bool { return !rel.draft || c.tok.perm >= Write }

func handleListReleases(c *call) {
	out := []releaseJSON{}
	for _, rel := range c.repo.sortedReleases() {
		if c.visible(rel) {
			out = append(out, c.releaseJSON(rel))
		}
	}
	c.json(http.StatusOK, paginate(c, out))
}

// handleLatestRelease serves the most recent release that is neither a
// draft nor a prerelease, by created_at.
func handleLatestRelease(c *call) {
	for _, rel := range c.repo.sortedReleases() {
		if !rel.draft && !rel.prerelease {
			c.json(http.StatusOK, c.releaseJSON(rel))
			return
		}
	}
	c.notFound()
}

func handleReleaseByTag(c *call) {
	for _, rel := range c.repo.sortedReleases() {
		if !rel.draft && rel.tagName == c.params["tag"] {
			c.json(http.StatusOK, c.releaseJSON(rel))
			return
		}
	}
	c.notFound()
}

func handleGetRelease(c *call) {
	if rel := c.pathRelease(); rel != nil {
		c.json(http.StatusOK, c.releaseJSON(rel))
	}
}

// pathRelease returns the release whose id is in the path, if the requester
// may see it; otherwise it writes a 404 and returns nil.
func (c *call) pathRelease() *release {
	id, ok := c.pathInt("id")
	if !ok {
		return nil
	}
	for _, rel := range c.repo.releases {
		if rel.id == id && c.visible(rel) {
			return rel
		}
	}
	c.notFound()
	return nil
}
