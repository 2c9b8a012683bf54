package refine

import "testing"

// TestCostSyntaxTier checks that a syntax error outweighs any number of
// type errors: on cosmos/gogoproto, a name replaced by "b [ ]" turned 254
// type errors into 1 syntax error and was taken as progress.
func TestCostSyntaxTier(t *testing.T) {
	typed := cost{build: 254 * 100}
	broken := cost{syntax: 1000}
	if broken.less(typed) {
		t.Errorf("%v (a syntax error) beats %v (254 type errors)", broken, typed)
	}
	if !typed.less(broken) {
		t.Errorf("%v (254 type errors) does not beat %v (a syntax error)", typed, broken)
	}
	if !(cost{syntax: 1000}).less(cost{syntax: 2000}) {
		t.Error("one syntax error does not beat two")
	}
	if !(cost{syntax: 1000, build: 9e9}).less(cost{regress: 1}) {
		t.Error("a regression does not outweigh a syntax error")
	}
}
