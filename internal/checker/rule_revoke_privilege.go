package checker

var revokePrivilege = register(&Rule{
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
	},
	Check: func(c *Context) []Finding {
		g := c.Node.GetGrantStmt()
		if g == nil || g.IsGrant {
			return nil
		}
		return []Finding{finding("revokes a privilege the previous release may still use")}
	},
})
