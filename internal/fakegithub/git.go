package fakegithub

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Git object types.
const (
	typeBlob   = "blob"
	typeTree   = "tree"
	typeCommit = "commit"
	typeTag    = "tag"
)

// Git tree entry modes as stored in tree objects.
const (
	modeFile    = "100644"
	modeExec    = "100755"
	modeSymlink = "120000"
	modeTree    = "40000"
	modeGitlink = "160000"
)

// object is a git object: its type and its content (without git's
// "<type> <size>\x00" header).
type object struct {
	typ  string
	data []byte
}

// hashObject returns the git object id (SHA-1) of an object.
func hashObject(typ string, data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00", typ, len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// isSHA reports whether s is a full, lower-case hex object id.
func isSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// treeEntry is one entry of a tree object.
type treeEntry struct {
	mode string // as stored: "100644", "100755", "120000", "40000", "160000"
	name string
	sha  string
}

// objectType is the type of the object the entry points at.
func (e treeEntry) objectType() string {
	switch e.mode {
	case modeTree:
		return typeTree
	case modeGitlink:
		return typeCommit
	}
	return typeBlob
}

// apiMode is the mode as GitHub's API shows it (trees as "040000").
func apiMode(mode string) string {
	if mode == modeTree {
		return "040000"
	}
	return mode
}

// storedMode converts a mode from the API to the stored form; ok is false
// for a mode git does not allow.
func storedMode(mode string) (string, bool) {
	switch mode {
	case modeFile, modeExec, modeSymlink, modeGitlink:
		return mode, true
	case "040000", modeTree:
		return modeTree, true
	}
	return "", false
}

// sortTree sorts entries the way git does: by name, comparing a tree's name
// as if it ended in "/".
func sortTree(entries []treeEntry) {
	key := func(e treeEntry) string {
		if e.mode == modeTree {
			return e.name + "/"
		}
		return e.name
	}
	sort.Slice(entries, func(i, j int) bool { return key(entries[i]) < key(entries[j]) })
}

// encodeTree returns the content of a tree object: for each entry, sorted,
// "<mode> <name>\x00" and the 20 bytes of the id.
func encodeTree(entries []treeEntry) []byte {
	entries = append([]treeEntry(nil), entries...)
	sortTree(entries)
	var b bytes.Buffer
	for _, e := range entries {
		raw, err := hex.DecodeString(e.sha)
		if err != nil || len(raw) != 20 {
			panic("fakegithub: bad object id in tree: " + e.sha)
		}
		b.WriteString(e.mode)
		b.WriteByte(' ')
		b.WriteString(e.name)
		b.WriteByte(0)
		b.Write(raw)
	}
	return b.Bytes()
}

// decodeTree parses the content of a tree object.
func decodeTree(data []byte) ([]treeEntry, error) {
	var entries []treeEntry
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		nul := bytes.IndexByte(data, 0)
		if sp < 0 || nul < sp || len(data) < nul+21 {
			return nil, errors.New("malformed tree object")
		}
		entries = append(entries, treeEntry{
			mode: string(data[:sp]),
			name: string(data[sp+1 : nul]),
			sha:  hex.EncodeToString(data[nul+1 : nul+21]),
		})
		data = data[nul+21:]
	}
	return entries, nil
}

// signature is an author, committer or tagger line.
type signature struct {
	Name  string
	Email string
	When  time.Time // in the signature's own time zone
}

// String formats the signature as git stores it: "Name <email> 1700000000 +0100".
func (s signature) String() string {
	_, off := s.When.Zone()
	sign := '+'
	if off < 0 {
		sign = '-'
		off = -off
	}
	return fmt.Sprintf("%s <%s> %d %c%02d%02d", s.Name, s.Email, s.When.Unix(), sign, off/3600, off%3600/60)
}

// parseSignature parses "Name <email> 1700000000 +0100".
func parseSignature(line string) (signature, error) {
	lt := strings.IndexByte(line, '<')
	gt := strings.LastIndexByte(line, '>')
	if lt < 0 || gt < lt {
		return signature{}, fmt.Errorf("malformed signature %q", line)
	}
	sig := signature{Name: strings.TrimSpace(line[:lt]), Email: line[lt+1 : gt]}
	f := strings.Fields(line[gt+1:])
	if len(f) != 2 {
		return signature{}, fmt.Errorf("malformed signature %q", line)
	}
	secs, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return signature{}, fmt.Errorf("malformed signature %q", line)
	}
	loc := time.UTC
	if tz := f[1]; len(tz) == 5 && (tz[0] == '+' || tz[0] == '-') {
		h, err1 := strconv.Atoi(tz[1:3])
		m, err2 := strconv.Atoi(tz[3:5])
		if err1 == nil && err2 == nil {
			off := h*3600 + m*60
			if tz[0] == '-' {
				off = -off
			}
			loc = time.FixedZone("", off)
		}
	}
	sig.When = time.Unix(secs, 0).In(loc)
	return sig, nil
}

// commit is a parsed commit object.
type commit struct {
	tree      string
	parents   []string
	author    signature
	committer signature
	gpgsig    string // the signature, if the commit is signed
	message   string
}

// encodeCommit returns the content of a commit object, as git writes it.
func encodeCommit(c commit) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "tree %s\n", c.tree)
	for _, p := range c.parents {
		fmt.Fprintf(&b, "parent %s\n", p)
	}
	fmt.Fprintf(&b, "author %s\n", c.author)
	fmt.Fprintf(&b, "committer %s\n", c.committer)
	if c.gpgsig != "" {
		b.WriteString("gpgsig " + strings.ReplaceAll(strings.TrimSuffix(c.gpgsig, "\n"), "\n", "\n ") + "\n")
	}
	b.WriteByte('\n')
	b.WriteString(c.message)
	return b.Bytes()
}

// parseHeaders splits a commit or tag object into its headers (continuation
// lines joined with "\n") and message.
func parseHeaders(data []byte) (map[string][]string, string) {
	headers := map[string][]string{}
	text := string(data)
	var last string
	for {
		nl := strings.IndexByte(text, '\n')
		if nl < 0 {
			nl = len(text)
		}
		line := text[:nl]
		text = text[min(nl+1, len(text)):]
		if line == "" {
			break
		}
		if line[0] == ' ' && last != "" {
			vs := headers[last]
			vs[len(vs)-1] += "\n" + line[1:]
			continue
		}
		k, v, _ := strings.Cut(line, " ")
		headers[k] = append(headers[k], v)
		last = k
		if text == "" {
			break
		}
	}
	return headers, text
}

// parseCommit parses a commit object.
func parseCommit(data []byte) (commit, error) {
	h, msg := parseHeaders(data)
	c := commit{message: msg, parents: h["parent"]}
	if len(h["tree"]) != 1 || len(h["author"]) != 1 || len(h["committer"]) != 1 {
		return commit{}, errors.New("malformed commit object")
	}
	c.tree = h["tree"][0]
	var err error
	if c.author, err = parseSignature(h["author"][0]); err != nil {
		return commit{}, err
	}
	if c.committer, err = parseSignature(h["committer"][0]); err != nil {
		return commit{}, err
	}
	if sig := h["gpgsig"]; len(sig) > 0 {
		c.gpgsig = sig[0]
	}
	return c, nil
}

// tag is a parsed annotated tag object.
type tag struct {
	object  string
	typ     string
	name    string
	tagger  signature
	message string
}

// parseTag parses a tag object.
func parseTag(data []byte) (tag, error) {
	h, msg := parseHeaders(data)
	if len(h["object"]) != 1 || len(h["type"]) != 1 || len(h["tag"]) != 1 {
		return tag{}, errors.New("malformed tag object")
	}
	t := tag{object: h["object"][0], typ: h["type"][0], name: h["tag"][0], message: msg}
	if len(h["tagger"]) == 1 {
		t.tagger, _ = parseSignature(h["tagger"][0])
	}
	return t, nil
}
