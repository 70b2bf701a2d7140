package compat

import (
	"reflect"
	"strings"
	"testing"
)

// brokenTests are added to the previous release: a test that always
// fails, whatever the schema (it expects the CI machine's time zone), and
// one that fails on its checkout's first run only (a cold cache), then
// passes: the kind of test that made the whole check "baseline broken".
var brokenTests = map[string]string{"clock_test.go": `package shop

import (
	"os"
	"testing"
)

func TestReportsInLocalTime(t *testing.T) {
	t.Fatal("expects the machine's time zone to be Europe/Paris")
}

func TestWarmsTheCache(t *testing.T) {
	if _, err := os.Stat(".warm"); err != nil {
		os.WriteFile(".warm", nil, 0o644)
		t.Fatal("cold cache: timed out")
	}
}
`}

// dropTotal drops a column the previous release's TestOrders reads and
// writes, and nothing else of it uses.
var dropTotal = map[string]string{
	"db/migrations/0003_drop_total.up.sql": "SET lock_timeout = '5s';\nALTER TABLE orders DROP COLUMN total_cents;",
}

// Without per-test results, one broken test of the previous release hides
// everything: the verdict is baseline broken.
func TestBrokenPreviousTestMakesBaselineBrokenWithoutResults(t *testing.T) {
	res := run(t, appWith(t, brokenTests, dropTotal), nil)
	if res.Verdict != "baseline broken" || scenario(res, ScenarioBaseline).Status != StatusFail || scenario(res, ScenarioBaseline).Tests != nil {
		t.Fatalf("%s, verdict %s\n%s", statuses(res), res.Verdict, scenario(res, ScenarioBaseline).OutputTail)
	}
}

// With go test -json, the migration is blamed for the one test that reads
// the dropped column; the always-failing test is listed as failing on the
// baseline too, and the flaky one passed on its rerun.
func TestPerTestVerdictsGoJSON(t *testing.T) {
	res := run(t, appWith(t, brokenTests, dropTotal), func(o *Options) {
		o.TestCommand = "go test -count=1 -json ./..."
		o.Results = Results{Format: GoJSON, Rerun: 1}
	})
	const pkg = "example.com/shop."
	b, c := scenario(res, ScenarioBaseline), scenario(res, ScenarioCompat)
	if res.Verdict != StatusFail || b.Status != StatusFail || c.Status != StatusFail {
		t.Fatalf("%s, verdict %s\nbaseline %+v\ncompat %+v", statuses(res), res.Verdict, b.Tests, c.Tests)
	}
	if b.Tests.Runs != 2 || !reflect.DeepEqual(b.Tests.Failing, []string{pkg + "TestReportsInLocalTime"}) ||
		!reflect.DeepEqual(b.Tests.Flaky, []string{pkg + "TestWarmsTheCache"}) || b.Tests.Passed != 3 {
		t.Errorf("baseline tests: %+v", b.Tests)
	}
	if !strings.HasPrefix(b.Reason, "1 test fails on the previous release's own schema") {
		t.Errorf("baseline reason %q", b.Reason)
	}
	if !reflect.DeepEqual(c.Tests.Blamed, []string{pkg + "TestOrders"}) || !reflect.DeepEqual(c.Tests.NotBlamed, []string{pkg + "TestReportsInLocalTime"}) {
		t.Errorf("compat tests: %+v", c.Tests)
	}
	if c.Reason != "1 test passes on the baseline and fails here; 1 more fail on the previous schema too: not blamed" {
		t.Errorf("compat reason %q", c.Reason)
	}
	if !strings.Contains(c.OutputTail, `column "total_cents" of relation "orders" does not exist`) || strings.Contains(c.OutputTail, `"Action"`) {
		t.Errorf("the output tail is not go test's text:\n%s", c.OutputTail)
	}
	if len(c.Implicated) != 1 || c.Implicated[0].Object != "orders.total_cents" {
		t.Errorf("implicated = %+v", c.Implicated)
	}
	// The new code is v1's (only the migration changed): it reads the
	// dropped column too, and is blamed for it on deploy; its copy of the
	// broken test is not.
	if d := scenario(res, ScenarioDeploy); d.Status != StatusFail || !reflect.DeepEqual(d.Tests.Blamed, []string{pkg + "TestOrders"}) ||
		!reflect.DeepEqual(d.Tests.NotBlamed, []string{pkg + "TestReportsInLocalTime"}) {
		t.Errorf("deploy: %s %q %+v", d.Status, d.Reason, d.Tests)
	}
}

// junitSuite is the previous release's suite as a shell script writing a
// JUnit XML report in pytest's shape: each test a psql query.
const junitSuiteScript = `#!/bin/sh
mkdir -p reports
cases="" status=0
check() {
	if msg=$(psql -X -v ON_ERROR_STOP=1 -qAt -c "$2" 2>&1); then
		cases="$cases<testcase classname=\"tests.test_shop\" name=\"$1\" time=\"0.01\"/>"
	else
		status=1
		msg=$(printf '%s' "$msg" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g')
		cases="$cases<testcase classname=\"tests.test_shop\" name=\"$1\" time=\"0.01\"><failure message=\"$msg\">$msg</failure></testcase>"
	fi
}
check test_user_names "SELECT name FROM users"
check test_order_totals "SELECT total_cents FROM orders"
check test_report_in_local_time "SELECT 1/0"
echo "<?xml version=\"1.0\" encoding=\"utf-8\"?><testsuites name=\"pytest tests\"><testsuite name=\"pytest\">$cases</testsuite></testsuites>" > reports/junit.xml
exit $status
`

// With JUnit XML, a migration the previous release survives passes,
// although one of its tests fails on every schema.
func TestPerTestVerdictsJUnit(t *testing.T) {
	prev := map[string]string{"tests.sh": junitSuiteScript}
	opts := func(o *Options) {
		o.TestCommand = "sh tests.sh"
		o.Results = Results{Format: JUnit, Path: "reports/*.xml", Rerun: 1}
	}
	res := run(t, appWith(t, prev, map[string]string{"db/migrations/0003_nick.up.sql": "ALTER TABLE users ADD COLUMN nick text;"}), opts)
	b, c := scenario(res, ScenarioBaseline), scenario(res, ScenarioCompat)
	if res.Verdict != StatusPass || b.Status != StatusFail || c.Status != StatusPass {
		t.Fatalf("%s, verdict %s\nbaseline %+v %q\ncompat %+v %q\n%s", statuses(res), res.Verdict, b.Tests, b.Reason, c.Tests, c.Reason, c.OutputTail)
	}
	if !reflect.DeepEqual(c.Tests.NotBlamed, []string{"tests.test_shop.test_report_in_local_time"}) || c.Tests.Passed != 2 || c.Tests.Runs != 2 ||
		c.Reason != "every failing test (1) fails on the previous schema too (baseline): not blamed on the migrations" {
		t.Errorf("compat: %q %+v", c.Reason, c.Tests)
	}
	// Dropping the column the previous release reads is blamed on the
	// migration, for that test only.
	res = run(t, appWith(t, prev, dropTotal), opts)
	c = scenario(res, ScenarioCompat)
	if res.Verdict != StatusFail || !reflect.DeepEqual(c.Tests.Blamed, []string{"tests.test_shop.test_order_totals"}) ||
		!reflect.DeepEqual(c.Tests.NotBlamed, []string{"tests.test_shop.test_report_in_local_time"}) {
		t.Errorf("%s, verdict %s: compat %+v", statuses(res), res.Verdict, c.Tests)
	}
}
