package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPicturesAreCurrent renders the pages of the golden comment again,
// without a browser, and checks that each picture in docs/images was taken
// from exactly that page: a change to the golden comment, the stylesheet
// or the page template without go run ./scripts/commentshot fails here.
func TestPicturesAreCurrent(t *testing.T) {
	md, err := os.ReadFile(filepath.Join("..", "..", goldenPath))
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range themes {
		p, err := page(md, th)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("..", "..", imagesDir, "pr-comment-"+th.Name+".png")
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v: go run ./scripts/commentshot draws it (needs Chromium)", err)
		}
		got, err := textChunk(data, chunkKey)
		if err != nil {
			t.Fatalf("%s: %v: go run ./scripts/commentshot draws it", path, err)
		}
		if want := pageHash(p); got != want {
			t.Errorf("%s shows a page whose hash is %s, but %s renders to %s: the comment, its stylesheet or the page changed; draw it again with go run ./scripts/commentshot (needs Chromium)", path, got, goldenPath, want)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if b := img.Bounds(); b.Dx() != width*scale || b.Dy() < 200*scale {
			t.Errorf("%s is %dx%d: not a screenshot of a %d px wide page at scale %d", path, b.Dx(), b.Dy(), width, scale)
		}
	}
}

// TestPageRendersLikeGitHub checks the page holds what GitHub makes of the
// comment: tables, the raw <details> blocks, a line break for a newline
// inside a paragraph (comments keep them), and the theme's stylesheet.
func TestPageRendersLikeGitHub(t *testing.T) {
	md := []byte("### title\n\n| a | b |\n|---|---|\n| `x` | y |\n\n<details><summary>more</summary>\n\nhidden\n\n</details>\n\nline one\nline two\n")
	for _, th := range themes {
		p, err := page(md, th)
		if err != nil {
			t.Fatal(err)
		}
		s := string(p)
		for _, want := range []string{"<table>", "<code>x</code>", "<details><summary>more</summary>", "line one<br>", th.Page, ".markdown-body"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s page lacks %q", th.Name, want)
			}
		}
	}
	light, _ := page(md, themes[0])
	dark, _ := page(md, themes[1])
	if bytes.Equal(light, dark) {
		t.Error("the light and dark pages are the same")
	}
}

// TestTextChunkRoundTrip: the hash written into a PNG is read back, and
// the PNG still decodes.
func TestTextChunkRoundTrip(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", imagesDir, "pr-comment-light.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if _, err := textChunk(buf.Bytes(), chunkKey); err == nil {
		t.Fatal("a PNG without the chunk has one")
	}
	withHash := withText(buf.Bytes(), chunkKey, "sha256:abc")
	if got, err := textChunk(withHash, chunkKey); err != nil || got != "sha256:abc" {
		t.Fatalf("textChunk = %q, %v", got, err)
	}
	if _, err := png.Decode(bytes.NewReader(withHash)); err != nil {
		t.Fatalf("the PNG with the chunk does not decode: %v", err)
	}
}
