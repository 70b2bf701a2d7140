// Command commentshot draws the picture of phasegate's pull request comment
// that README.md shows, in GitHub's light and dark themes:
//
//	go run ./scripts/commentshot [-chromium PATH]
//
// It renders the golden comment testdata/comment/compat-failure.md (the
// comment of a change whose migration breaks the previous release, as the
// report package's tests produce it) the way GitHub renders a comment:
// GitHub-flavoured Markdown with goldmark (tables, raw HTML such as
// <details>, and a line break for every newline, as in comments), styled by
// GitHub's own markdown stylesheet (github-markdown-css 5.9.0 from npm, MIT:
// css/), at the 14px comment font size, inside a comment frame. Headless
// Chromium takes a screenshot of each page, which is cropped to the comment
// and written to docs/images/pr-comment-light.png and
// docs/images/pr-comment-dark.png.
//
// Each PNG carries, in a tEXt chunk named "phasegate-commentshot", the
// SHA-256 of the HTML page it was taken from. go test ./scripts/commentshot
// renders the pages again, without a browser, and fails when a hash differs:
// the golden comment, the stylesheet or the page changed and the picture was
// not drawn again.
//
// Chromium is found through -chromium, else $CHROMIUM, else chromium,
// chromium-browser or google-chrome on PATH (Debian: apt-get install
// chromium fonts-noto-core fonts-noto-color-emoji). It runs headless with a
// fresh profile, no sandbox (as root in CI containers), and background
// networking, component updates and sync turned off: the page is a local
// file that loads nothing.
package main

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"html/template"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// The golden comment drawn, and where the pictures go, relative to the
// repository root.
const (
	goldenPath = "testdata/comment/compat-failure.md"
	imagesDir  = "docs/images"
)

// themes are GitHub's two default themes: the name used in the PNG's file
// name, the stylesheet and the colours of the comment frame around it.
var themes = []theme{
	{Name: "light", CSS: lightCSS, Page: "#ffffff", Border: "#d1d9e0", Header: "#f6f8fa", Muted: "#59636e", Text: "#1f2328"},
	{Name: "dark", CSS: darkCSS, Page: "#0d1117", Border: "#3d444d", Header: "#151b23", Muted: "#9198a1", Text: "#f0f6fc"},
}

type theme struct {
	Name                              string
	CSS                               string
	Page, Border, Header, Muted, Text string
}

//go:embed css/github-markdown-light.css
var lightCSS string

//go:embed css/github-markdown-dark.css
var darkCSS string

// width is the page's width in CSS pixels, about that of a comment in a
// pull request's conversation; scale is the device pixel ratio of the
// screenshot (2: sharp on high-density screens, shown at half size).
const (
	width  = 860
	height = 4000
	scale  = 2
)

// chunkKey names the PNG text chunk that holds the page's hash.
const chunkKey = "phasegate-commentshot"

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>phasegate pull request comment ({{.Theme.Name}})</title>
<style>{{.CSS}}</style>
<style>
html, body { margin: 0; background: {{.Theme.Page}}; }
body { padding: 16px; }
.comment { border: 1px solid {{.Theme.Border}}; border-radius: 6px; background: {{.Theme.Page}}; }
.comment-header { background: {{.Theme.Header}}; border-bottom: 1px solid {{.Theme.Border}}; border-radius: 6px 6px 0 0;
  padding: 8px 16px; color: {{.Theme.Muted}}; font: 14px -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
.comment-header strong { color: {{.Theme.Text}}; font-weight: 600; }
.comment-header .label { border: 1px solid {{.Theme.Border}}; border-radius: 2em; padding: 0 7px; font-size: 12px; font-weight: 500; margin: 0 4px; }
.markdown-body { padding: 16px; font-size: 14px; background: transparent; }
</style>
</head>
<body>
<div class="comment">
<div class="comment-header"><strong>github-actions</strong><span class="label">bot</span> commented</div>
<div class="markdown-body">
{{.Body}}</div>
</div>
</body>
</html>
`))

// page renders the comment md as the HTML page of one theme.
func page(md []byte, t theme) ([]byte, error) {
	gm := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithRendererOptions(html.WithUnsafe(), html.WithHardWraps()),
	)
	var body bytes.Buffer
	if err := gm.Convert(md, &body); err != nil {
		return nil, fmt.Errorf("rendering the comment: %w", err)
	}
	var out bytes.Buffer
	err := pageTemplate.Execute(&out, struct {
		Theme theme
		CSS   template.CSS
		Body  template.HTML
	}{t, template.CSS(t.CSS), template.HTML(body.String())})
	if err != nil {
		return nil, fmt.Errorf("writing the %s page: %w", t.Name, err)
	}
	return out.Bytes(), nil
}

// pageHash is the hash a picture records: that of the page it shows.
func pageHash(p []byte) string {
	sum := sha256.Sum256(p)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func main() {
	chromiumFlag := flag.String("chromium", "", "Chromium or Chrome binary (default $CHROMIUM, else chromium, chromium-browser or google-chrome on PATH)")
	flag.Parse()
	if err := run(*chromiumFlag); err != nil {
		fmt.Fprintln(os.Stderr, "commentshot:", err)
		os.Exit(1)
	}
}

func run(chromiumFlag string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	browser, err := findChromium(chromiumFlag)
	if err != nil {
		return err
	}
	md, err := os.ReadFile(filepath.Join(root, goldenPath))
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "commentshot-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Join(root, imagesDir), 0o755); err != nil {
		return err
	}
	for _, t := range themes {
		p, err := page(md, t)
		if err != nil {
			return err
		}
		htmlPath := filepath.Join(tmp, t.Name+".html")
		if err := os.WriteFile(htmlPath, p, 0o644); err != nil {
			return err
		}
		shot, err := screenshot(browser, htmlPath, filepath.Join(tmp, t.Name))
		if err != nil {
			return fmt.Errorf("%s theme: %w", t.Name, err)
		}
		cropped, err := crop(shot, t.Page)
		if err != nil {
			return fmt.Errorf("%s theme: %w", t.Name, err)
		}
		var buf bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, cropped); err != nil {
			return err
		}
		out := filepath.Join(root, imagesDir, "pr-comment-"+t.Name+".png")
		if err := os.WriteFile(out, withText(buf.Bytes(), chunkKey, pageHash(p)), 0o644); err != nil {
			return err
		}
		b := cropped.Bounds()
		fmt.Printf("%s: %dx%d, from %s\n", filepath.Join(imagesDir, "pr-comment-"+t.Name+".png"), b.Dx(), b.Dy(), goldenPath)
	}
	return nil
}

// screenshot photographs the page at htmlPath with headless Chromium, in a
// fresh profile under dir, and decodes the PNG.
func screenshot(browser, htmlPath, dir string) (image.Image, error) {
	pngPath := filepath.Join(dir, "shot.png")
	cmd := exec.Command(browser,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
		"--hide-scrollbars", "--user-data-dir="+filepath.Join(dir, "profile"),
		fmt.Sprintf("--force-device-scale-factor=%d", scale), fmt.Sprintf("--window-size=%d,%d", width, height),
		"--screenshot="+pngPath, "file://"+htmlPath)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s: %v\n%s", browser, err, out)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		return nil, fmt.Errorf("%s wrote no screenshot: %v\n%s", browser, err, out)
	}
	defer f.Close()
	return png.Decode(f)
}

// crop cuts the screenshot below the comment's last row that is not the
// page's background, keeping the page's margin. A comment that reaches the
// bottom of the window was cut off: that is an error, not a picture.
func crop(img image.Image, background string) (image.Image, error) {
	var br, bg, bb uint8
	if _, err := fmt.Sscanf(background, "#%02x%02x%02x", &br, &bg, &bb); err != nil {
		return nil, fmt.Errorf("background %q: %v", background, err)
	}
	b := img.Bounds()
	last := -1
	for y := b.Max.Y - 1; y >= b.Min.Y && last < 0; y-- {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) != br || uint8(g>>8) != bg || uint8(bl>>8) != bb {
				last = y
				break
			}
		}
	}
	margin := 16 * scale
	if last < 0 {
		return nil, errors.New("the screenshot is empty: Chromium drew nothing")
	}
	if last >= b.Max.Y-margin {
		return nil, fmt.Errorf("the comment is taller than the %d px window: raise height in scripts/commentshot", height)
	}
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		return nil, fmt.Errorf("cannot crop a %T", img)
	}
	return sub.SubImage(image.Rect(b.Min.X, b.Min.Y, b.Max.X, last+1+margin)), nil
}

// withText returns PNG data with a tEXt chunk key=text after its IHDR chunk.
func withText(data []byte, key, text string) []byte {
	const ihdrEnd = 8 + 4 + 4 + 13 + 4 // signature, then IHDR: length, type, data, CRC
	payload := append(append([]byte(key), 0), text...)
	chunk := make([]byte, 0, 12+len(payload))
	chunk = binary.BigEndian.AppendUint32(chunk, uint32(len(payload)))
	typed := append([]byte("tEXt"), payload...)
	chunk = append(chunk, typed...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(typed))
	out := make([]byte, 0, len(data)+len(chunk))
	out = append(out, data[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, data[ihdrEnd:]...)
}

// textChunk returns the text of the PNG's tEXt chunk named key.
func textChunk(data []byte, key string) (string, error) {
	if len(data) < 8 || !bytes.Equal(data[:8], []byte("\x89PNG\r\n\x1a\n")) {
		return "", errors.New("not a PNG file")
	}
	for p := 8; p+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[p:]))
		if p+12+n > len(data) {
			break
		}
		typ, body := string(data[p+4:p+8]), data[p+8:p+8+n]
		if typ == "tEXt" {
			if k, v, ok := bytes.Cut(body, []byte{0}); ok && string(k) == key {
				return string(v), nil
			}
		}
		if typ == "IEND" {
			break
		}
		p += 12 + n
	}
	return "", fmt.Errorf("no %s text chunk", key)
}

// findChromium returns the browser to run.
func findChromium(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if env := os.Getenv("CHROMIUM"); env != "" {
		return env, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("no Chromium found (-chromium, $CHROMIUM, or chromium, chromium-browser or google-chrome on PATH): install it, on Debian with apt-get install chromium fonts-noto-core fonts-noto-color-emoji")
}

// repoRoot walks up from the working directory to phasegate's go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/phasegate/phasegate\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the phasegate repository: run it from the repository")
		}
		dir = parent
	}
}
