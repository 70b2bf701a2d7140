package main

import "io"

// command is one phasegate command: how it runs and how its help reads.
// Its flags are defined by run itself (on a flag set from newFlagSet);
// groups only orders and names them for the help, and a test checks that
// every flag of every command is in one group.
type command struct {
	name    string
	summary string // one line, for phasegate --help
	usage   string // the synopsis after "phasegate NAME"
	long    string // what the command does
	groups  []flagGroup
	// examples are shell lines, each after a comment saying what it does.
	examples []example
	// exit says what its exit statuses mean, after "Exit status: ";
	// empty for check's (exitStatusHelp).
	exit string
	// git, for a command that reads a git repository, says why and what
	// to do outside one (failureHint prints it).
	git string
	run func(args []string, stdout, stderr io.Writer) (int, error)
}

// flagGroup is a titled group of flags in a command's help. Each entry is
// the flag as written on the command line: "--base REF", "--static-only".
type flagGroup struct {
	title string
	flags []string
}

type example struct{ what, line string }

// commands lists the commands in the order phasegate --help shows them.
var commands = []*command{
	{
		name:    "check",
		summary: "judge the migrations a change adds or edits, then prove the previous release survives them",
		usage:   "--base REF [flags]",
		long: `Finds the migrations added or edited between the merge base of --base and the head (the work tree, or
--head), judges every statement against the schema the base history builds (its phase: expand,
contract or unknown, and its lock and rewrite hazards), then, unless --static-only, runs the previous
release's tests against PostgreSQL migrated by the change.`,
		groups: []flagGroup{
			{"Change", []string{"--base REF", "--head REF", "--repo DIR", "--config FILE"}},
			{"Static check", []string{"--static-only", "--pg-version N", "--stats FILE"}},
			{"Runtime check", []string{"--database-url URL", "--postgres-image IMAGE", "--no-pull", "--previous REV", "--jobs N", "--shard I/N", "--verbose"}},
			{"Output", []string{"--format text|json", "--report-json FILE", "--sarif FILE", "--fail-on error|warning|never"}},
			{"Pull request comment (GitHub Actions)", []string{"--comment on|off|on-failure", "--github-token TOKEN"}},
		},
		examples: []example{
			{"Judge the work tree's new migrations against main, without a database", "phasegate check --base main --static-only"},
			{"Also run the previous release's tests, on a PostgreSQL server you already have", "phasegate check --base origin/main --database-url postgres://postgres@localhost:5432/postgres"},
			{"Check a branch as CI does, with a JSON report and SARIF for code scanning", "phasegate check --base main --head feature --static-only --report-json report.json --sarif phasegate.sarif"},
		},
		git: "phasegate check compares the migrations of two git revisions (--base and the head): run it in the repository's work tree, or give --repo DIR; phasegate classify judges files outside git.",
		run: runCheck,
	},
	{
		name:    "classify",
		exit:    "0 nothing at error severity; 1 findings at error severity; 2 usage, config or parse errors.",
		summary: "judge migration files or directories outside git",
		usage:   "[flags] PATH...",
		long: `Judges migration files and directories without git: against an empty schema, plus --schema FILE.
A directory is a migration history: each migration in it is judged against the ones before it, as
the pull request that added it was (a rename in the last file is a contract). Files named one by one
form one change, judged together: objects an earlier file creates count as new in the later ones.`,
		groups: []flagGroup{
			{"Input", []string{"--schema FILE", "--migrations-format NAME", "--one-change"}},
			{"Judging", []string{"--config FILE", "--pg-version N"}},
			{"Output", []string{"--format text|json"}},
		},
		examples: []example{
			{"Judge every migration of a directory against the ones before it", "phasegate classify db/migrations"},
			{"Judge one new file against a dump of the production schema", "phasegate classify --schema schema.sql db/migrations/0042_add_index.up.sql"},
			{"Judge a whole directory as one change (a first release, nothing in production yet)", "phasegate classify --one-change --format json db/migrations"},
		},
		run: runClassify,
	},
	{
		name:    "split",
		exit:    "0 the split is written (or there is nothing to split); 2 usage, config, git or parse errors, or a statement split refuses (then nothing is written).",
		summary: "cut new migrations into what ships now and what waits for the next release",
		usage:   "[flags] FILE...",
		long: `Splits each new migration of the change (compared with --base) in two: the expand statements stay,
the contract statements wait in a deferred migration (migrations.deferred_dir) with a header that
says when it may run. The follow-up bot (phasegate followup) proposes it once that time has come.

A statement the new code needs now is rewritten, not moved: a renamed column gets its new name
beside the old one, kept in sync by a trigger and backfilled; a renamed table leaves a view under
its old name; a required column is added nullable and made NOT NULL later. Steps that must run
outside a transaction (the backfill, index builds) go into new migrations right after. A drop of
something the new code still mentions, and what no recipe makes safe (a type change), are refused
with the steps to take by hand.`,
		groups: []flagGroup{
			{"Split", []string{"--base REF", "--after WHEN", "--pr N", "--dry-run", "--force", "--config FILE"}},
			{"ORM migrations (Alembic, Django)", []string{"--emit-sql", "--database-url URL", "--postgres-image IMAGE", "--no-pull"}},
		},
		examples: []example{
			{"Show the split as a diff, changing nothing", "phasegate split --dry-run db/migrations/0003_display_name.up.sql"},
			{"Defer the contract part until a deployment to production has succeeded", `phasegate split --after "deployment production" --pr 42 db/migrations/0003_display_name.up.sql`},
		},
		git: "phasegate split needs the git repository of the migrations: it compares them with --base to find the new ones (only those can be split) and searches the repository's code for what they drop. Run it in that repository's work tree (cd there); phasegate classify judges a file outside git, but cannot split it.",
		run: runSplit,
	},
	{
		name:    "followup",
		exit:    "0 done, or nothing is ready yet; 1 a deferred migration the bot could not carry (its line says why); 2 usage, config, git or GitHub errors.",
		summary: "open the pull requests that apply deferred migrations once their release has shipped",
		usage:   "[flags]",
		long: `For each deferred migration whose condition holds (a release containing it has been out for
followup.min_age, a deployment succeeded, a date passed), opens or updates one pull request that moves
it into the active migrations, and keeps the contract-debt dashboard issue, whose ticked boxes it acts
on (docs/dashboard.md). Meant for a scheduled workflow. --dry-run needs no token as long as no migration
is ready (nothing to ask GitHub), and neither reads nor writes the dashboard; when a GitHub call is
needed, it says which one.`,
		groups: []flagGroup{
			{"Repository", []string{"--repo DIR", "--config FILE", "--repository OWNER/NAME", "--github-token TOKEN"}},
			{"Run", []string{"--dry-run", "--force"}},
		},
		examples: []example{
			{"See what the bot would do, writing nothing", "phasegate followup --dry-run"},
			{"Open the follow-up pull requests (GitHub Actions sets both variables)", "GITHUB_TOKEN=... GITHUB_REPOSITORY=acme/shop phasegate followup"},
		},
		git: "phasegate followup reads the deferred migrations, and the commits that added them, from git: run it in a clone of the repository with its history (fetch-depth: 0 in GitHub Actions), or give --repo DIR.",
		run: runFollowup,
	},
	{
		name:    "comment",
		exit:    "0 posted; 2 usage errors, or GitHub refused the comment.",
		summary: "post a JSON report as the pull request comment (for fork pull requests)",
		usage:   "--report FILE [flags]",
		long: `Posts or updates the pull request comment from a JSON report written elsewhere (--report-json of
phasegate check in a pull_request run from a fork, whose token is read-only), and the report's
one-click fixes as a review on the pull request's head. Meant for a workflow_run workflow, which has a
write token and never runs the pull request's code.`,
		groups: []flagGroup{
			{"Flags", []string{"--report FILE", "--pr N", "--repository OWNER/NAME", "--github-token TOKEN", "--suggestions on|off"}},
		},
		examples: []example{
			{"Comment on pull request 42 with a report downloaded from the pull_request run", "phasegate comment --report phasegate-report.json --pr 42"},
		},
		run: runComment,
	},
	{
		name:    "merge",
		summary: "combine the reports of a check sharded across runners into one",
		usage:   "[flags] REPORT...",
		long: `Combines the JSON reports of phasegate check --shard I/N, one per runner of a matrix job, into the
report of the whole check, and delivers it as check does (text or JSON, --report-json, --sarif, and in
GitHub Actions the annotations, the job summary and the pull request comment). The static part must be
the same in every report; each scenario fails if it failed on any shard, its duration is the sum, and
the output of the shards that failed is kept under their name. A missing shard, or one whose runtime
check could not run, is named and makes the runtime verdict an error.`,
		groups: []flagGroup{
			{"Output", []string{"--format text|json", "--report-json FILE", "--sarif FILE", "--fail-on error|warning|never"}},
			{"Pull request comment (GitHub Actions)", []string{"--comment on|off|on-failure", "--github-token TOKEN"}},
		},
		examples: []example{
			{"Combine four shards' reports downloaded as artifacts", "phasegate merge shard-*/phasegate-report.json"},
		},
		run: runMerge,
	},
	{
		name:    "stats",
		exit:    "0 the sizes are written; 2 usage errors, or the database could not be read.",
		summary: "write production's table sizes, for estimates of how long locks are held",
		usage:   "--database-url URL [flags]",
		long: `Reads the size of every table (rows, pages, bytes, write rate) from the catalog of a database you
choose, such as a replica or a staging clone, and writes it as a small YAML file: schema object names
and numbers, no data. Commit it as .github/phasegate-stats.yml (or pass --stats to check): locking
findings then say how big the table is and how long the work under the lock takes, and those on
tables below stats.small_rows rows are advice (info).`,
		groups: []flagGroup{
			{"Flags", []string{"--database-url URL", "--output FILE", "--format yaml|json"}},
		},
		examples: []example{
			{"Read the sizes from a replica into the file check reads", "phasegate stats --database-url \"$REPLICA_URL\" --output .github/phasegate-stats.yml"},
		},
		run: runStats,
	},
	{
		name:    "rules",
		exit:    "0; 2 an unknown rule id, or a usage error.",
		summary: "list the rules, or print one rule's documentation",
		usage:   "[--markdown] [RULE...]",
		long: `Without arguments, lists every rule with its category, default severity and what it flags. With
rule ids, prints each rule's whole documentation: why it matters, the safe alternative, notes and
examples.`,
		groups: []flagGroup{
			{"Flags", []string{"--markdown"}},
		},
		examples: []example{
			{"List the rules", "phasegate rules"},
			{"Read one rule", "phasegate rules missing-lock-timeout"},
			{"Regenerate the rule reference", "phasegate rules --markdown > docs/rules.md"},
		},
		run: runRules,
	},
	{
		name:    "version",
		exit:    "0; 2 a usage error.",
		summary: "print the version, and the commit and date the binary was built from",
		usage:   "",
		long:    `Prints the version (stamped with -ldflags "-X main.version=VERSION", else the module's), the git commit and commit date the binary was built from, and the Go toolchain.`,
		examples: []example{
			{"Say which phasegate runs", "phasegate version"},
		},
		run: runVersion,
	},
}

// lookupCommand returns the command called name, or nil.
func lookupCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

func commandNames() []string {
	names := []string{"help"}
	for _, c := range commands {
		names = append(names, c.name)
	}
	return names
}
