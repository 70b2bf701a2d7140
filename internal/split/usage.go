package split

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// usageIndex finds where the code of a repository mentions a word: a
// whole word, in any case, in the files that are code (not the migrations,
// documentation, vendored or generated files).
type usageIndex struct {
	fsys  fs.FS
	files []string
}

// NewUsage indexes files of fsys, leaving out those under skip (the
// migration directories).
func newUsage(fsys fs.FS, files []string, skip []string) *usageIndex {
	u := &usageIndex{fsys: fsys}
	for _, f := range files {
		if codeFile(f, skip) {
			u.files = append(u.files, f)
		}
	}
	return u
}

// codeFile reports whether a path is code split should search.
func codeFile(p string, skip []string) bool {
	for _, s := range skip {
		if s != "" && (p == s || strings.HasPrefix(p, strings.TrimSuffix(s, "/")+"/")) {
			return false
		}
	}
	for _, part := range strings.Split(path.Dir(p), "/") {
		switch part {
		case "vendor", "node_modules", ".git", "testdata", "dist", "build":
			return false
		}
	}
	switch strings.ToLower(path.Ext(p)) {
	case ".md", ".txt", ".rst", ".adoc", ".sum", ".lock", ".svg", ".png", ".jpg", ".gif", ".ico", ".pdf", ".zip", ".gz":
		return false
	}
	switch path.Base(p) {
	case "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "go.sum", "Cargo.lock", "poetry.lock", "LICENSE", "CHANGELOG",
		// Schema dumps the migration tools write (dbmate, Rails): they hold
		// every column, used or not.
		"schema.sql", "structure.sql", "schema.rb":
		return false
	}
	return true
}

// find returns up to max places ("path:line: text") where word is
// mentioned, in files that also mention one of context (any, when context
// is empty).
func (u *usageIndex) find(word string, context []string, max int) []string {
	var out []string
	for _, f := range u.files {
		b, err := fs.ReadFile(u.fsys, f)
		if err != nil || len(b) > 1<<20 || bytes.IndexByte(b, 0) >= 0 {
			continue
		}
		low := strings.ToLower(string(b))
		if !hasWord(low, strings.ToLower(word)) {
			continue
		}
		if len(context) > 0 {
			ok := false
			for _, c := range context {
				ok = ok || hasWord(low, strings.ToLower(c))
			}
			if !ok {
				continue
			}
		}
		inBlock := false
		style := commentStyleOf(f)
		for i, line := range strings.Split(string(b), "\n") {
			code := codeOf(line, style, &inBlock)
			if hasWord(strings.ToLower(code), strings.ToLower(word)) {
				out = append(out, fmt.Sprintf("%s:%d: %s", f, i+1, strings.TrimSpace(trimTo(line, 100))))
				if len(out) == max {
					return out
				}
			}
		}
	}
	return out
}

// commentStyle says which comments a language has.
type commentStyle struct {
	slashes, hash, dashes, block bool // //, #, --, /* */
}

// commentStyleOf guesses a file's comments from its extension; unknown
// extensions have none (a "#" in YAML or a "/*" glob is not cut).
func commentStyleOf(p string) commentStyle {
	switch strings.ToLower(path.Ext(p)) {
	case ".go", ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".java", ".kt", ".kts", ".scala", ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".swift", ".rs", ".dart", ".php", ".groovy":
		return commentStyle{slashes: true, block: true, hash: strings.HasSuffix(p, ".php")}
	case ".py", ".rb", ".sh", ".bash", ".yml", ".yaml", ".toml", ".pl", ".r", ".ex", ".exs", ".cr", ".nim", ".tf":
		return commentStyle{hash: true}
	case ".sql", ".lua", ".hs", ".elm":
		return commentStyle{dashes: true, block: true}
	}
	return commentStyle{}
}

// codeOf returns the part of a line that is not a comment of the file's
// language: it cuts at a line comment outside quotes, and skips /* ... */
// blocks (inBlock carries an open block to the next line). A comment that
// says the code no longer uses a column is not a use.
func codeOf(line string, style commentStyle, inBlock *bool) string {
	var b strings.Builder
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		if *inBlock {
			if c == '*' && i+1 < len(line) && line[i+1] == '/' {
				*inBlock = false
				i++
			}
			continue
		}
		if quote != 0 {
			b.WriteByte(c)
			if c == '\\' && i+1 < len(line) {
				b.WriteByte(line[i+1])
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		next := byte(0)
		if i+1 < len(line) {
			next = line[i+1]
		}
		switch {
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case style.hash && c == '#', style.slashes && c == '/' && next == '/', style.dashes && c == '-' && next == '-':
			return b.String()
		case style.block && c == '/' && next == '*':
			*inBlock = true
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// hasWord reports whether text holds word between non-identifier bytes.
func hasWord(text, word string) bool {
	for off := 0; ; {
		i := strings.Index(text[off:], word)
		if i < 0 {
			return false
		}
		start, end := off+i, off+i+len(word)
		if (start == 0 || !identByte(text[start-1])) && (end == len(text) || !identByte(text[end])) {
			return true
		}
		off = start + 1
	}
}

func identByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

func trimTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
