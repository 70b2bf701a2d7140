package fakegithub

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The git blobs API: read a blob (JSON or raw) and create one.

// wrapBase64 encodes data as GitHub does in blob and contents responses:
// base64 in lines of 60 characters, each ending in "\n".
func wrapBase64(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60] + "\n")
		enc = enc[60:]
	}
	if enc != "" {
		b.WriteString(enc + "\n")
	}
	return b.String()
}

// wantsRaw reports whether the request asked for raw content.
func (c *call) wantsRaw() bool {
	a := c.r.Header.Get("Accept")
	return strings.Contains(a, "application/vnd.github.raw") || strings.Contains(a, "application/vnd.github.v3.raw")
}

func (c *call) raw(data []byte) {
	c.out.status = http.StatusOK
	c.out.header.Set("Content-Type", "application/vnd.github.raw; charset=utf-8")
	c.out.body = append([]byte(nil), data...)
}

func handleGetBlob(c *call) {
	if c.emptyRepo() {
		return
	}
	sha, ok := c.repo.resolveSHA(c.params["sha"])
	o, isBlob := c.repo.getType(sha, typeBlob)
	if !ok || !isBlob {
		c.notFound()
		return
	}
	if c.wantsRaw() {
		c.raw(o.data)
		return
	}
	c.json(http.StatusOK, map[string]any{
		"sha":      sha,
		"node_id":  nodeID("Blob", strconv.FormatInt(c.repo.id, 10)+":"+sha),
		"size":     len(o.data),
		"url":      c.objectURL(typeBlob, sha),
		"content":  wrapBase64(o.data),
		"encoding": "base64",
	})
}

func handleCreateBlob(c *call) {
	var req struct {
		Content  *string `json:"content"`
		Encoding *string `json:"encoding"`
	}
	if !c.decode(&req) || c.emptyRepo() {
		return
	}
	if req.Content == nil {
		c.missingField("content")
		return
	}
	data := []byte(*req.Content)
	switch enc := orDefault(deref(req.Encoding), "utf-8"); enc {
	case "utf-8", "utf8":
		if !utf8.Valid(data) {
			c.unprocessable("Invalid request.\n\ncontent is not valid UTF-8.")
			return
		}
	case "base64":
		b, err := base64.StdEncoding.DecodeString(strings.Map(dropSpace, *req.Content))
		if err != nil {
			c.unprocessable("Invalid request.\n\ncontent is not valid Base64.")
			return
		}
		data = b
	default:
		c.unprocessable("Invalid request.\n\nFor 'properties/encoding', \"" + enc + "\" is not a possible value.")
		return
	}
	sha := c.repo.put(typeBlob, data)
	u := c.objectURL(typeBlob, sha)
	c.created(u, map[string]string{"url": u, "sha": sha})
}

func dropSpace(r rune) rune {
	if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
		return -1
	}
	return r
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
