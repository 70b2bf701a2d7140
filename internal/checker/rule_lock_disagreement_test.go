package checker

import (
	"strings"
	"testing"

	"github.com/phasegate/phasegate/internal/schema"
)

// The differences no rule example shows (PostgreSQL takes what phasegate
// predicts for them): another mode, a rewrite one way or the other. Reads
// (ACCESS SHARE) are not predicted, and not compared.
func TestLockDisagreementMessages(t *testing.T) {
	users := schema.QName{Schema: "public", Name: "users"}
	disagree := func(predicted []Lock, measured []MeasuredLock) string {
		var msgs []string
		for _, f := range lockDisagreement.Runtime(&Measurement{Predicted: predicted, Measured: measured}) {
			msgs = append(msgs, f.Message)
		}
		return strings.Join(msgs, "|")
	}
	expected := []Lock{{Relation: users, Mode: ShareRowExclusive}}
	if got, want := disagree(expected, []MeasuredLock{{Relation: "users", Mode: "AccessExclusiveLock", Rewrote: true}, {Relation: "orgs", Mode: "AccessShareLock"}}),
		"measured AccessExclusiveLock on users, phasegate predicted ShareRowExclusiveLock|users was rewritten, which phasegate did not predict"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := disagree(expected, []MeasuredLock{{Relation: "users", Mode: "ShareRowExclusiveLock"}}); got != "" {
		t.Errorf("agreement reported: %q", got)
	}
	if got, want := disagree([]Lock{{Relation: users, Mode: AccessExclusive, Rewrite: true}}, []MeasuredLock{{Relation: "users", Mode: "AccessExclusiveLock"}}),
		"phasegate predicted a rewrite of users, which did not happen"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := disagree(expected, nil), "phasegate predicted ShareRowExclusiveLock on users, which was not taken"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
