package fakegithub

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

type label struct {
	id          int64
	name        string
	color       string
	description string
}

// Label is a repository label, as returned by accessors.
type Label struct {
	ID          int64
	Name        string
	Color       string // six hex digits, no "#"
	Description string
}

func (l *label) export() Label {
	return Label{ID: l.id, Name: l.name, Color: l.color, Description: l.description}
}

// defaultLabelColor is the color GitHub gives labels created by adding them
// to an issue.
const defaultLabelColor = "ededed"

var hexColor = regexp.MustCompile(`^[0-9a-fA-F]{6}$`)

// AddLabel creates a label in the repository and returns it.
func (r *Repo) AddLabel(name, color, description string) Label {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if r.findLabel(name) != nil {
		panic("fakegithub: label " + name + " already exists")
	}
	return r.addLabelLocked(name, color, description).export()
}

// Labels returns the repository's labels, sorted by name.
func (r *Repo) Labels() []Label {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []Label
	for _, l := range sortLabels(r.labels) {
		out = append(out, l.export())
	}
	return out
}

// IssueLabels returns the names of the labels on an issue or pull request,
// sorted by name.
func (r *Repo) IssueLabels(number int) []string {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	var out []string
	for _, l := range sortLabels(r.issueOrPanic(number).labels) {
		out = append(out, l.name)
	}
	return out
}

func (r *Repo) addLabelLocked(name, color, description string) *label {
	l := &label{id: r.s.nextID("label"), name: name, color: strings.ToLower(orDefault(color, defaultLabelColor)),
		description: description}
	r.labels = append(r.labels, l)
	return l
}

// findLabel finds a label by name, ignoring case as GitHub does.
func (r *Repo) findLabel(name string) *label {
	for _, l := range r.labels {
		if strings.EqualFold(l.name, name) {
			return l
		}
	}
	return nil
}

// sortLabels returns the labels sorted by name, ignoring case.
func sortLabels(ls []*label) []*label {
	out := append([]*label(nil), ls...)
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].name) < strings.ToLower(out[j].name) })
	return out
}

type labelJSON struct {
	ID          int64   `json:"id"`
	NodeID      string  `json:"node_id"`
	URL         string  `json:"url"`
	Name        string  `json:"name"`
	Color       string  `json:"color"`
	Default     bool    `json:"default"`
	Description *string `json:"description"`
}

func (c *call) labelJSON(l *label) labelJSON {
	return labelJSON{ID: l.id, NodeID: nodeID("Label", l.id),
		URL:  c.api(c.repo.path() + "/labels/" + url.PathEscape(l.name)),
		Name: l.name, Color: l.color, Description: nullable(l.description)}
}

func (c *call) labelsJSON(ls []*label) []labelJSON {
	out := []labelJSON{}
	for _, l := range sortLabels(ls) {
		out = append(out, c.labelJSON(l))
	}
	return out
}

func handleListLabels(c *call) {
	c.json(http.StatusOK, paginate(c, c.labelsJSON(c.repo.labels)))
}

func handleGetLabel(c *call) {
	l := c.repo.findLabel(c.params["name"])
	if l == nil {
		c.notFound()
		return
	}
	c.json(http.StatusOK, c.labelJSON(l))
}

func handleCreateLabel(c *call) {
	var req struct {
		Name        *string `json:"name"`
		Color       *string `json:"color"`
		Description *string `json:"description"`
	}
	if !c.decode(&req) {
		return
	}
	switch {
	case req.Name == nil || strings.TrimSpace(*req.Name) == "":
		c.validationFailed(fieldError{Resource: "Label", Code: "missing_field", Field: "name"})
	case req.Color != nil && !hexColor.MatchString(*req.Color):
		c.validationFailed(fieldError{Resource: "Label", Code: "invalid", Field: "color"})
	case c.repo.findLabel(*req.Name) != nil:
		c.validationFailed(fieldError{Resource: "Label", Code: "already_exists", Field: "name"})
	default:
		l := c.repo.addLabelLocked(*req.Name, deref(req.Color), deref(req.Description))
		j := c.labelJSON(l)
		c.created(j.URL, j)
	}
}

func handleListIssueLabels(c *call) {
	is, ok := c.issueParam()
	if !ok {
		return
	}
	c.json(http.StatusOK, paginate(c, c.labelsJSON(is.labels)))
}

// labelNames parses the body of "add labels": an array of names, or an
// object {"labels": [...]} whose items are names or {"name": ...}.
func labelNames(body []byte) ([]string, bool) {
	var names []string
	if json.Unmarshal(body, &names) == nil {
		return names, true
	}
	var obj struct {
		Labels []json.RawMessage `json:"labels"`
	}
	if json.Unmarshal(body, &obj) != nil || obj.Labels == nil {
		return nil, false
	}
	for _, raw := range obj.Labels {
		var name string
		var named struct {
			Name string `json:"name"`
		}
		switch {
		case json.Unmarshal(raw, &name) == nil:
		case json.Unmarshal(raw, &named) == nil && named.Name != "":
			name = named.Name
		default:
			return nil, false
		}
		names = append(names, name)
	}
	return names, true
}

// handleAddIssueLabels adds labels to an issue, creating the ones the
// repository lacks, as GitHub does, and returns all the issue's labels.
func handleAddIssueLabels(c *call) {
	is, ok := c.issueParam()
	if !ok {
		return
	}
	names, ok := labelNames(c.body)
	if !ok {
		c.unprocessable("Invalid request.\n\nFor 'links/0/schema', nil is not an array.")
		return
	}
	for _, name := range names {
		if strings.TrimSpace(name) == "" {
			c.validationFailed(fieldError{Resource: "Label", Code: "invalid", Field: "name"})
			return
		}
	}
	for _, name := range names {
		l := c.repo.findLabel(name)
		if l == nil {
			l = c.repo.addLabelLocked(name, "", "")
		}
		has := false
		for _, x := range is.labels {
			has = has || x == l
		}
		if !has {
			is.labels = append(is.labels, l)
			is.updatedAt = c.s.clock()
		}
	}
	c.json(http.StatusOK, c.labelsJSON(is.labels))
}

func handleRemoveIssueLabel(c *call) {
	is, ok := c.issueParam()
	if !ok {
		return
	}
	for i, l := range is.labels {
		if strings.EqualFold(l.name, c.params["name"]) {
			is.labels = append(is.labels[:i:i], is.labels[i+1:]...)
			is.updatedAt = c.s.clock()
			c.json(http.StatusOK, c.labelsJSON(is.labels))
			return
		}
	}
	c.errorMessage(http.StatusNotFound, "Label does not exist")
}
