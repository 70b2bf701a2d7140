package checker

import (
	"strings"

	pg "github.com/phasegate/phasegate/internal/pgtree"
)

var revokePrivilege = &Rule{
	ID:       "revoke-privilege",
	Category: Compatibility, Phase: Contract, Severity: Error,
	Summary: "REVOKE of a privilege",
	Why:     "the previous release may still need the privilege; its queries fail with permission denied",
	Fix: `1. deploy code that no longer needs the privilege;
2. revoke it in a deferred migration one release later (phasegate split moves the statement).`,
	Notes: `Not flagged by squawk, strong_migrations or GitLab. GRANT is expand and not flagged.`,
	Examples: []Example{
		{SQL: "REVOKE UPDATE ON users FROM app;", Flagged: true},
		{SQL: "GRANT SELECT ON users TO reporting;"},
		{SQL: "REVOKE SELECT, UPDATE (email) ON users, orgs FROM app, PUBLIC;", Flagged: true},
		{SQL: "REVOKE GRANT OPTION FOR ALL ON ALL SEQUENCES IN SCHEMA public FROM app;", Flagged: true},
		{SQL: "REVOKE EXECUTE ON FUNCTION touch() FROM CURRENT_USER;", Flagged: true},
	},
	Check: func(c *Context) []Finding {
		g := c.Node.GetGrantStmt()
		if g == nil || g.IsGrant {
			return nil
		}
		what := "revokes " + joinWords(privileges(g.Privileges))
		if g.GrantOption {
			what = "revokes the grant option of " + joinWords(privileges(g.Privileges))
		}
		return []Finding{finding("%s on %s from %s, which the previous release may still need", what, grantObjects(c, g), joinWords(roles(g.Grantees)))}
	},
}

// privileges names the privileges of a GRANT or REVOKE as SQL writes them:
// UPDATE, UPDATE (email); none is ALL PRIVILEGES.
func privileges(nodes []*pg.Node) []string {
	if len(nodes) == 0 {
		return []string{"ALL PRIVILEGES"}
	}
	var out []string
	for _, n := range nodes {
		p := n.GetAccessPriv()
		if p == nil {
			continue
		}
		name := strings.ToUpper(p.PrivName)
		if cols := namesOf(p.Cols); len(cols) > 0 {
			name += " (" + strings.Join(cols, ", ") + ")"
		}
		out = append(out, name)
	}
	return out
}

// grantObjects names what a GRANT or REVOKE is on: "table users",
// "tables users and orgs", "all tables in schema app".
func grantObjects(c *Context, g *pg.GrantStmt) string {
	kind := strings.ToLower(strings.TrimPrefix(g.Objtype.String(), "OBJECT_"))
	kind = strings.ReplaceAll(kind, "_", " ")
	var names []string
	for _, o := range g.Objects {
		if rv := o.GetRangeVar(); rv != nil {
			names = append(names, c.Catalog.Resolve(rv).String())
		} else if n := objectNames(o); len(n) > 0 {
			names = append(names, strings.Join(n, "."))
		}
	}
	plural := kind + "s"
	if strings.HasSuffix(kind, "s") {
		plural = kind + "es"
	}
	switch {
	case g.Targtype == pg.GrantTargetType_ACL_TARGET_ALL_IN_SCHEMA:
		return "all " + plural + " in schema " + joinWords(names)
	case len(names) == 1:
		return kind + " " + names[0]
	}
	return plural + " " + joinWords(names)
}

// roles names the roles of a GRANT or REVOKE: app, PUBLIC, CURRENT_USER.
func roles(nodes []*pg.Node) []string {
	var out []string
	for _, n := range nodes {
		r := n.GetRoleSpec()
		switch {
		case r == nil:
		case r.Roletype == pg.RoleSpecType_ROLESPEC_CSTRING:
			out = append(out, r.Rolename)
		default:
			out = append(out, strings.TrimPrefix(r.Roletype.String(), "ROLESPEC_"))
		}
	}
	return out
}
