package source

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strings"

	"github.com/phasegate/phasegate/internal/sqltext"
)

// sqitch keeps its registry in the sqitch schema: releases (the registry's
// version), projects, changes (one row per deployed change, by change ID),
// tags, dependencies and events. Its deploy looks up the latest deployed
// change of the project in the plan and deploys the ones after it; a
// latest change the plan does not have fails ("Cannot find change ... in
// sqitch.plan"). So the registry records the applied changes the release's
// plan has, in plan order, with the IDs sqitch computes from that plan
// (App::Sqitch::Plan::Change->id: the SHA-1 of "change <length>\0" and the
// change's info: project, uri, name, parent ID, planner, date,
// dependencies, note), and their tags (App::Sqitch::Plan::Tag->id).
// script_hash is the SHA-1 of the deploy script. The registry's tables
// are created as sqitch 1.x's pg.sql does, at registry release 1.1.

func (Sqitch) ToolTables() []string {
	return []string{"sqitch.releases", "sqitch.projects", "sqitch.changes", "sqitch.tags", "sqitch.dependencies", "sqitch.events"}
}

// sqitchCommitter is who the registry says deployed the changes.
const sqitchCommitter, sqitchCommitterEmail = "phasegate", "phasegate@localhost"

func (Sqitch) Bookkeeping(dir string, release, applied []Migration, fsys fs.FS) ([]Statement, error) {
	planPath := join(dir, "sqitch.plan")
	src, err := fs.ReadFile(fsys, planPath)
	if err != nil {
		return nil, fmt.Errorf("read sqitch plan: %w", err)
	}
	plan, err := ParseSqitchPlan(planPath, src)
	if err != nil {
		return nil, err
	}
	record := map[string]bool{}
	for _, m := range known("sqitch", release, applied) {
		record[m.Path] = true
	}
	var s stmts
	s.add(`CREATE SCHEMA IF NOT EXISTS sqitch`)
	for _, ddl := range sqitchRegistry {
		s.add(ddl)
	}
	for _, t := range []string{"events", "dependencies", "tags", "changes", "projects", "releases"} {
		s.add(`DELETE FROM sqitch.` + t)
	}
	s.add(`INSERT INTO sqitch.releases (version, installer_name, installer_email) VALUES (1.1, $1, $2)`, sqitchCommitter, sqitchCommitterEmail)
	var uri any
	if plan.URI != "" {
		uri = plan.URI
	}
	s.add(`INSERT INTO sqitch.projects (project, uri, creator_name, creator_email) VALUES ($1, $2, $3, $4)`, plan.Project, uri, sqitchCommitter, sqitchCommitterEmail)
	n := 0
	// Deployed in plan order, a millisecond apart: sqitch takes the
	// latest committed_at as the current state.
	at := func() string { n++; return fmt.Sprintf("now() + interval '%d milliseconds'", n) }
	for _, c := range plan.Changes {
		if !record[join(dir, "deploy/"+c.Script+".sql")] {
			continue
		}
		script, err := fs.ReadFile(fsys, join(dir, "deploy/"+c.Script+".sql"))
		if err != nil {
			return nil, fmt.Errorf("script hash of %s: %w", c.Script, err)
		}
		hash := sha1.Sum(script)
		s.add(`INSERT INTO sqitch.changes (change_id, script_hash, change, project, note, committed_at, committer_name, committer_email, planned_at, planner_name, planner_email)
	VALUES ($1, $2, $3, $4, $5, `+at()+`, $6, $7, $8, $9, $10)`,
			c.ID, hex.EncodeToString(hash[:]), c.Name, plan.Project, c.Note, sqitchCommitter, sqitchCommitterEmail, c.Date, c.PlannerName, c.PlannerEmail)
		for _, d := range c.Requires {
			if id := plan.resolve(d, c); id != "" {
				s.add(`INSERT INTO sqitch.dependencies (change_id, type, dependency, dependency_id) VALUES ($1, 'require', $2, $3)`, c.ID, d, id)
			}
		}
		for _, d := range c.Conflicts {
			s.add(`INSERT INTO sqitch.dependencies (change_id, type, dependency) VALUES ($1, 'conflict', $2)`, c.ID, d)
		}
		var tags []string
		for _, t := range c.Tags {
			tags = append(tags, "@"+t.Name)
		}
		s.add(`INSERT INTO sqitch.events (event, change_id, change, project, note, requires, conflicts, tags, committed_at, committer_name, committer_email, planned_at, planner_name, planner_email)
	VALUES ('deploy', $1, $2, $3, $4, $5, $6, $7, `+at()+`, $8, $9, $10, $11, $12)`,
			c.ID, c.Name, plan.Project, c.Note, nonNil(c.Requires), nonNil(c.Conflicts), nonNil(tags), sqitchCommitter, sqitchCommitterEmail, c.Date, c.PlannerName, c.PlannerEmail)
		for _, t := range c.Tags {
			s.add(`INSERT INTO sqitch.tags (tag_id, tag, project, change_id, note, committed_at, committer_name, committer_email, planned_at, planner_name, planner_email)
	VALUES ($1, $2, $3, $4, $5, `+at()+`, $6, $7, $8, $9, $10)`,
				t.ID, "@"+t.Name, plan.Project, c.ID, t.Note, sqitchCommitter, sqitchCommitterEmail, t.Date, t.PlannerName, t.PlannerEmail)
		}
	}
	return s, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// SqitchPlan is a sqitch.plan as sqitch reads it.
type SqitchPlan struct {
	Project, URI string
	Changes      []*SqitchChange
}

// SqitchChange is one change line of a plan.
type SqitchChange struct {
	Name string
	// Script is the deploy script's name: Name, or Name@TAG for a change
	// reworked after TAG.
	Script                    string
	ID                        string
	Date                      string // as written: 2012-07-16T17:25:07Z
	PlannerName, PlannerEmail string
	Note                      string
	Requires, Conflicts       []string // as sqitch writes them (Depend->as_string)
	Tags                      []*SqitchTag
	index                     int
}

// SqitchTag is one tag line of a plan.
type SqitchTag struct {
	Name, ID                  string
	Date                      string
	PlannerName, PlannerEmail string
	Note                      string
}

var (
	sqitchNote    = lazyRegexp(`[ \t]*(?:#[ \t]*(.*))?$`)
	sqitchPragma  = lazyRegexp(`^[ \t]*%[ \t]*([^ \t=]+)(?:[ \t]*=[ \t]*(.+))?$`)
	sqitchLine    = lazyRegexp(`^[ \t]*(?:@|[ \t]*[+-][ \t]*)?([^ \t\[]+)(?:[ \t]+)?(?:\[([^\]]+)\][ \t]*)?([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)[ \t]*([^<]+)[ \t]+<([^>]+)>$`)
	sqitchEscapes = strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\r`, "\r")
)

// ParseSqitchPlan reads a plan (App::Sqitch::Plan's syntax) and computes
// the IDs of its changes and tags.
func ParseSqitchPlan(name string, src []byte) (*SqitchPlan, error) {
	p := &SqitchPlan{}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	header := true
	var prev *SqitchChange
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if t := strings.TrimLeft(line, " \t"); t == "" || strings.HasPrefix(t, "#") {
			if t == "" {
				header = false
			}
			continue
		}
		if header {
			if m := sqitchPragma().FindStringSubmatch(sqitchNote().ReplaceAllString(line, "")); m != nil {
				switch m[1] {
				case "project":
					p.Project = m[2]
				case "uri":
					p.URI = m[2]
				}
				continue
			}
			header = false
		}
		note := ""
		if i := strings.IndexByte(line, '#'); i >= 0 {
			note = strings.TrimSpace(sqitchEscapes.Replace(strings.TrimSpace(line[i+1:])))
			line = line[:i]
		}
		line = strings.TrimRight(line, " \t")
		m := sqitchLine().FindStringSubmatch(line)
		if m == nil {
			return nil, &sqltext.Error{Pos: sqltext.Position{Line: n, Column: 1}, Message: fmt.Sprintf("%s: cannot read plan line %q", name, line)}
		}
		if strings.HasPrefix(strings.TrimLeft(line, " \t"), "@") {
			if prev == nil {
				return nil, &sqltext.Error{Pos: sqltext.Position{Line: n, Column: 1}, Message: fmt.Sprintf("%s: tag %q before any change", name, m[1])}
			}
			t := &SqitchTag{Name: m[1], Date: m[3], PlannerName: m[4], PlannerEmail: m[5], Note: note}
			t.ID = sqitchID("tag", p.info("tag @"+t.Name, "change "+prev.ID, t.PlannerName, t.PlannerEmail, t.Date, nil, t.Note))
			prev.Tags = append(prev.Tags, t)
			continue
		}
		c := &SqitchChange{Name: m[1], Date: m[3], PlannerName: m[4], PlannerEmail: m[5], Note: note, index: len(p.Changes)}
		for _, d := range strings.Fields(m[2]) {
			if strings.HasPrefix(d, "!") {
				c.Conflicts = append(c.Conflicts, p.depString(d[1:]))
			} else {
				c.Requires = append(c.Requires, p.depString(d))
			}
		}
		var extra []string
		if len(c.Requires) > 0 {
			extra = append(extra, "requires\n  + "+strings.Join(c.Requires, "\n  + "))
		}
		if len(c.Conflicts) > 0 {
			extra = append(extra, "conflicts\n  - "+strings.Join(c.Conflicts, "\n  - "))
		}
		parent := ""
		if prev != nil {
			parent = "parent " + prev.ID
		}
		c.ID = sqitchID("change", p.info("change "+c.Name, parent, c.PlannerName, c.PlannerEmail, c.Date, extra, c.Note))
		p.Changes = append(p.Changes, c)
		prev = c
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if p.Project == "" {
		return nil, fmt.Errorf("%s: no %%project pragma; sqitch refuses the plan", name)
	}
	// Script names: a change reworked later keeps its script as NAME@TAG,
	// TAG the first tag after it.
	last := map[string]*SqitchChange{}
	for _, c := range p.Changes {
		last[c.Name] = c
	}
	for i, c := range p.Changes {
		c.Script = c.Name
		if last[c.Name] != c {
			for _, d := range p.Changes[i:] {
				if len(d.Tags) > 0 {
					c.Script = c.Name + "@" + d.Tags[0].Name
					break
				}
			}
		}
	}
	return p, nil
}

// info is the text sqitch hashes for a change or a tag.
func (p *SqitchPlan) info(what, parent, planner, email, date string, extra []string, note string) string {
	lines := []string{"project " + p.Project}
	if p.URI != "" {
		lines = append(lines, "uri "+p.URI)
	}
	lines = append(lines, what)
	if parent != "" {
		lines = append(lines, parent)
	}
	lines = append(lines, "planner "+planner+" <"+email+">", "date "+date)
	lines = append(lines, extra...)
	if note != "" {
		lines = append(lines, "", note)
	}
	return strings.Join(lines, "\n")
}

// depString is a dependency as sqitch writes it: without the project when
// it is the plan's own.
func (p *SqitchPlan) depString(d string) string {
	if proj, rest, ok := strings.Cut(d, ":"); ok && proj == p.Project {
		return rest
	}
	return d
}

// resolve returns the ID of the change a requirement of c names, within
// the plan's own project: the latest change of that name before c (or the
// one a @tag qualifies), "" when it names another project's change.
func (p *SqitchPlan) resolve(dep string, c *SqitchChange) string {
	if strings.Contains(dep, ":") {
		return ""
	}
	name, tag, _ := strings.Cut(dep, "@")
	if name == "" { // @tag: the change the tag is on
		for _, d := range p.Changes {
			for _, t := range d.Tags {
				if t.Name == tag {
					return d.ID
				}
			}
		}
		return ""
	}
	id := ""
	for _, d := range p.Changes[:c.index] {
		if d.Name == name {
			id = d.ID
			if tag != "" {
				for _, t := range d.Tags {
					if t.Name == tag {
						return id
					}
				}
			}
		}
	}
	return id
}

// sqitchID is sqitch's object ID: a git-style SHA-1 of the info.
func sqitchID(kind, info string) string {
	h := sha1.New()
	fmt.Fprintf(h, "%s %d\x00%s", kind, len(info), info)
	return hex.EncodeToString(h.Sum(nil))
}

// sqitchRegistry is App::Sqitch's pg.sql (registry release 1.1), schema
// sqitch.
var sqitchRegistry = []string{
	`CREATE TABLE IF NOT EXISTS sqitch.releases (
	version REAL PRIMARY KEY,
	installed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
	installer_name TEXT NOT NULL,
	installer_email TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS sqitch.projects (
	project TEXT PRIMARY KEY,
	uri TEXT NULL UNIQUE,
	created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
	creator_name TEXT NOT NULL,
	creator_email TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS sqitch.changes (
	change_id TEXT PRIMARY KEY,
	script_hash TEXT NULL,
	change TEXT NOT NULL,
	project TEXT NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE,
	note TEXT NOT NULL DEFAULT '',
	committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
	committer_name TEXT NOT NULL,
	committer_email TEXT NOT NULL,
	planned_at TIMESTAMPTZ NOT NULL,
	planner_name TEXT NOT NULL,
	planner_email TEXT NOT NULL,
	UNIQUE(project, script_hash))`,
	`CREATE TABLE IF NOT EXISTS sqitch.tags (
	tag_id TEXT PRIMARY KEY,
	tag TEXT NOT NULL,
	project TEXT NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE,
	change_id TEXT NOT NULL REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE,
	note TEXT NOT NULL DEFAULT '',
	committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
	committer_name TEXT NOT NULL,
	committer_email TEXT NOT NULL,
	planned_at TIMESTAMPTZ NOT NULL,
	planner_name TEXT NOT NULL,
	planner_email TEXT NOT NULL,
	UNIQUE(project, tag))`,
	`CREATE TABLE IF NOT EXISTS sqitch.dependencies (
	change_id TEXT NOT NULL REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE ON DELETE CASCADE,
	type TEXT NOT NULL,
	dependency TEXT NOT NULL,
	dependency_id TEXT NULL REFERENCES sqitch.changes(change_id) ON UPDATE CASCADE CONSTRAINT dependencies_check CHECK (
		(type = 'require' AND dependency_id IS NOT NULL)
		OR (type = 'conflict' AND dependency_id IS NULL)),
	PRIMARY KEY (change_id, dependency))`,
	`CREATE TABLE IF NOT EXISTS sqitch.events (
	event TEXT NOT NULL CONSTRAINT events_event_check CHECK (event IN ('deploy', 'revert', 'fail', 'merge')),
	change_id TEXT NOT NULL,
	change TEXT NOT NULL,
	project TEXT NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE,
	note TEXT NOT NULL DEFAULT '',
	requires TEXT[] NOT NULL DEFAULT '{}',
	conflicts TEXT[] NOT NULL DEFAULT '{}',
	tags TEXT[] NOT NULL DEFAULT '{}',
	committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
	committer_name TEXT NOT NULL,
	committer_email TEXT NOT NULL,
	planned_at TIMESTAMPTZ NOT NULL,
	planner_name TEXT NOT NULL,
	planner_email TEXT NOT NULL,
	PRIMARY KEY (change_id, committed_at))`,
}
