package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// TestDocLinks keeps the documentation's relative links working: every
// link of README.md, docs/*.md and the other README.md files of the
// repository that points into the repository names a file or directory
// that exists, and every #anchor names a heading of the page it points to
// (as GitHub turns headings into anchors). A page moved or renamed, or a
// heading reworded, fails here rather than on GitHub.
func TestDocLinks(t *testing.T) {
	const root = "../.."
	pages, err := docPages(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 10 {
		t.Fatalf("only %d documentation pages found: the test is not seeing docs/", len(pages))
	}
	anchors := map[string]map[string]bool{} // page → its anchors, read once
	anchorsOf := func(page string) (map[string]bool, error) {
		if a, ok := anchors[page]; ok {
			return a, nil
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(page)))
		if err != nil {
			return nil, err
		}
		anchors[page] = headingAnchors(b)
		return anchors[page], nil
	}
	checked := 0
	for _, page := range pages {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(page)))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range relativeLinks(b) {
			checked++
			target, anchor, _ := strings.Cut(l.target, "#")
			file := page
			if target != "" {
				file = path.Join(path.Dir(page), target)
				if strings.HasPrefix(file, "../") || path.IsAbs(target) {
					t.Errorf("%s:%d: link %s leaves the repository", page, l.line, l.target)
					continue
				}
				if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(file))); err != nil {
					t.Errorf("%s:%d: link %s: %s does not exist", page, l.line, l.target, file)
					continue
				}
			}
			if anchor == "" || !strings.HasSuffix(file, ".md") {
				continue // an anchor in a source file (#L10) is GitHub's, not a heading
			}
			a, err := anchorsOf(file)
			if err != nil {
				t.Errorf("%s:%d: link %s: %v", page, l.line, l.target, err)
				continue
			}
			if !a[anchor] {
				t.Errorf("%s:%d: link %s: %s has no heading whose anchor is #%s (it has %s)", page, l.line, l.target, file, anchor, sortedKeys(a))
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d relative links checked: the test is not reading the links", checked)
	}
}

// TestDocLinksCatchBreakage shows that the readers of TestDocLinks see
// what they must: links in text and HTML, not in code; anchors as GitHub
// makes them.
func TestDocLinksCatchBreakage(t *testing.T) {
	page := []byte("# phasegate check: what it judges\n" +
		"## The runtime check — `compat`\n" +
		"## Tokens\n## Tokens\n" +
		"See [orms](docs/orm.md#a-proof) and <img src=\"docs/images/x.png\">, [web](https://example.com), [here](#tokens-1).\n" +
		"```\n[not a link](nowhere.md)\n```\n" +
		"    indented [code](nowhere.md)\n")
	var got []string
	for _, l := range relativeLinks(page) {
		got = append(got, fmt.Sprintf("%d:%s", l.line, l.target))
	}
	if want := "5:docs/orm.md#a-proof 5:#tokens-1 5:docs/images/x.png"; strings.Join(got, " ") != want {
		t.Errorf("links = %q, want %q", strings.Join(got, " "), want)
	}
	a := headingAnchors(page)
	for _, want := range []string{"phasegate-check-what-it-judges", "the-runtime-check--compat", "tokens", "tokens-1"} {
		if !a[want] {
			t.Errorf("anchor %s missing from %s", want, sortedKeys(a))
		}
	}
}

// docPages lists the pages TestDocLinks reads, relative to root with
// slashes: README.md, docs/*.md, and every other README.md (testdata's
// golden outputs, node_modules and hidden directories left out).
func docPages(root string) ([]string, error) {
	var pages []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() == "README.md" || (path.Dir(rel) == "docs" && strings.HasSuffix(rel, ".md")) {
			pages = append(pages, rel)
		}
		return nil
	})
	sort.Strings(pages)
	return pages, err
}

type docLink struct {
	line   int
	target string
}

var (
	mdLink   = regexp.MustCompile(`\]\(([^()\s]+)(?:\s+"[^"]*")?\)`)
	htmlLink = regexp.MustCompile(`\b(?:href|src|srcset)="([^"]+)"`)
	scheme   = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// relativeLinks returns the links of a markdown page that point into the
// repository: markdown links and HTML href, src and srcset attributes,
// outside fenced and indented code blocks.
func relativeLinks(page []byte) []docLink {
	var links []docLink
	eachProseLine(page, func(n int, line string) {
		for _, re := range []*regexp.Regexp{mdLink, htmlLink} {
			for _, m := range re.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if scheme.MatchString(target) || strings.HasPrefix(target, "//") {
					continue
				}
				links = append(links, docLink{n, target})
			}
		}
	})
	return links
}

// headingAnchors returns the anchors GitHub gives a page's headings: the
// text lowercased, spaces made hyphens, punctuation dropped; a repeated
// anchor gets -1, -2...
func headingAnchors(page []byte) map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	eachProseLine(page, func(_ int, line string) {
		text, ok := headingText(line)
		if !ok {
			return
		}
		var b strings.Builder
		for _, r := range strings.ToLower(text) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteByte('-')
			}
		}
		slug := b.String()
		if n := seen[slug]; n > 0 {
			anchors[fmt.Sprintf("%s-%d", slug, n)] = true
		} else {
			anchors[slug] = true
		}
		seen[slug]++
	})
	return anchors
}

var inlineLink = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// headingText returns the text of an ATX heading (# to ######), its links
// reduced to their text.
func headingText(line string) (string, bool) {
	hashes := len(line) - len(strings.TrimLeft(line, "#"))
	if hashes == 0 || hashes > 6 || (len(line) > hashes && line[hashes] != ' ') {
		return "", false
	}
	text := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(line[hashes:]), "#"))
	return inlineLink.ReplaceAllString(text, "$1"), true
}

// eachProseLine calls f with each line of a markdown page that is not in
// a fenced code block or an indented one (four spaces after a blank line
// or another indented line), numbered from 1.
func eachProseLine(page []byte, f func(n int, line string)) {
	sc := bufio.NewScanner(bytes.NewReader(page))
	sc.Buffer(nil, 1<<20)
	fence, indented, prevBlank := "", false, true
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case fence != "":
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
				trimmed = "" // what follows a fence may start an indented block
			}
		case strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~"):
			fence = trimmed[:3]
		case strings.HasPrefix(line, "    ") && (prevBlank || indented):
			indented = true
		default:
			indented = false
			f(n, line)
		}
		prevBlank = trimmed == ""
		if prevBlank {
			indented = false
		}
	}
}

func sortedKeys(m map[string]bool) string {
	var keys []string
	for k := range m {
		keys = append(keys, "#"+k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}
