package fakegithub

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// asset is a file uploaded to a release.
type asset struct {
	id          int64
	name        string
	contentType string
	data        []byte
	createdAt   time.Time
	uploader    *user
	downloads   int
}

// Asset is a release asset, as taken by AddReleaseAsset and returned by
// ReleaseAssets.
type Asset struct {
	ID          int64
	Name        string
	ContentType string // default "application/octet-stream"
	Data        []byte
	// Downloads counts the downloads of Data (through the API or the
	// download URL).
	Downloads int
}

func (a *asset) export() Asset {
	return Asset{ID: a.id, Name: a.name, ContentType: a.contentType, Data: append([]byte(nil), a.data...),
		Downloads: a.downloads}
}

// AddReleaseAsset uploads a file to the release with the given ID and
// returns it (with its ID). It panics if there is no such release or the
// release already has an asset of that name (GitHub answers 422
// already_exists).
func (r *Repo) AddReleaseAsset(releaseID int64, a Asset) Asset {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	rel := r.releaseLocked(releaseID)
	for _, x := range rel.assets {
		if x.name == a.Name {
			panic(fmt.Sprintf("fakegithub: release %d already has an asset named %q", releaseID, a.Name))
		}
	}
	x := &asset{id: r.s.nextID("asset"), name: a.Name,
		contentType: orDefault(a.ContentType, "application/octet-stream"),
		data:        append([]byte(nil), a.Data...), createdAt: r.s.clock(), uploader: rel.author}
	rel.assets = append(rel.assets, x)
	return x.export()
}

// ReleaseAssets returns the assets of the release with the given ID, in
// upload order.
func (r *Repo) ReleaseAssets(releaseID int64) []Asset {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []Asset
	for _, a := range r.releaseLocked(releaseID).assets {
		out = append(out, a.export())
	}
	return out
}

func (r *Repo) releaseLocked(id int64) *release {
	for _, rel := range r.releases {
		if rel.id == id {
			return rel
		}
	}
	panic(fmt.Sprintf("fakegithub: %s has no release %d", r.FullName(), id))
}

type assetJSON struct {
	URL                string    `json:"url"`
	ID                 int64     `json:"id"`
	NodeID             string    `json:"node_id"`
	Name               string    `json:"name"`
	Label              *string   `json:"label"`
	Uploader           *userJSON `json:"uploader"`
	ContentType        string    `json:"content_type"`
	State              string    `json:"state"`
	Size               int       `json:"size"`
	DownloadCount      int       `json:"download_count"`
	CreatedAt          ts        `json:"created_at"`
	UpdatedAt          ts        `json:"updated_at"`
	BrowserDownloadURL string    `json:"browser_download_url"`
}

func (c *call) assetJSON(rel *release, a *asset) assetJSON {
	r := c.repo
	return assetJSON{
		URL:                c.api(fmt.Sprintf("%s/releases/assets/%d", r.path(), a.id)),
		ID:                 a.id,
		NodeID:             nodeID("ReleaseAsset", a.id),
		Name:               a.name,
		Uploader:           c.userJSON(a.uploader),
		ContentType:        a.contentType,
		State:              "uploaded",
		Size:               len(a.data),
		DownloadCount:      a.downloads,
		CreatedAt:          timestamp(a.createdAt),
		UpdatedAt:          timestamp(a.createdAt),
		BrowserDownloadURL: c.html(downloadPath(r, rel.tagName, a.name)),
	}
}

// downloadPath is the path of an asset's browser_download_url, at the root
// as on GitHub Enterprise Server (github.com serves it on github.com, the API
// on api.github.com).
func downloadPath(r *Repo, tag, name string) string {
	return r.htmlPath() + "/releases/download/" + escapePath(tag) + "/" + escapePath(name)
}

func (c *call) assetsJSON(rel *release) []assetJSON {
	out := []assetJSON{}
	for _, a := range rel.assets {
		out = append(out, c.assetJSON(rel, a))
	}
	return out
}

func handleListReleaseAssets(c *call) {
	if rel := c.pathRelease(); rel != nil {
		c.json(http.StatusOK, paginate(c, c.assetsJSON(rel)))
	}
}

// handleGetReleaseAsset serves an asset's JSON, or with "Accept:
// application/octet-stream" redirects (302) to its content, as GitHub
// redirects to its storage host.
func handleGetReleaseAsset(c *call) {
	id, ok := c.pathInt("id")
	if !ok {
		return
	}
	for _, rel := range c.repo.releases {
		if !c.visible(rel) {
			continue
		}
		for _, a := range rel.assets {
			if a.id != id {
				continue
			}
			if strings.Contains(c.r.Header.Get("Accept"), "application/octet-stream") {
				c.out.status = http.StatusFound
				c.out.header.Set("Location", c.html(downloadPath(c.repo, rel.tagName, a.name)))
				return
			}
			c.json(http.StatusOK, c.assetJSON(rel, a))
			return
		}
	}
	c.notFound()
}

// serveDownloadLocked serves GET /{owner}/{repo}/releases/download/{tag}/{name},
// an asset's browser_download_url, without authentication (the fake's
// repositories are public). It reports whether the path was one.
func (s *Server) serveDownloadLocked(c *call, p string) bool {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	if c.prefix != "" || len(segs) != 6 || segs[2] != "releases" || segs[3] != "download" {
		return false
	}
	if c.r.Method != http.MethodGet && c.r.Method != http.MethodHead {
		return false
	}
	c.out.status = http.StatusNotFound
	c.out.header.Set("Content-Type", "text/plain; charset=utf-8")
	c.out.body = []byte("Not Found")
	r := s.repos[strings.ToLower(segs[0]+"/"+segs[1])]
	if r == nil {
		return true
	}
	for _, rel := range r.releases {
		if rel.draft || rel.tagName != segs[4] {
			continue
		}
		for _, a := range rel.assets {
			if a.name == segs[5] {
				a.downloads++
				c.out.status = http.StatusOK
				c.out.header.Set("Content-Type", a.contentType)
				c.out.header.Set("Content-Length", strconv.Itoa(len(a.data)))
				c.out.body = append([]byte(nil), a.data...)
				return true
			}
		}
	}
	return true
}
