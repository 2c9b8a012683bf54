package local

import "github.com/difgen/difgen/ast"

// A TokenModel scores Go token sequences in two-sided context. The trained
// n-gram model implements it; tests may use a uniform one.
type TokenModel interface {
	// LogProb returns the log-probability of fill standing between left and
	// right (both in source order; left ends just before the fill and right
	// starts just after it). Only the last few tokens of left and first few
	// of right matter.
	LogProb(left, fill, right []ast.Token) float64
	// Predict returns up to k most likely single tokens at a masked
	// position between left and right, best first.
	Predict(left, right []ast.Token, k int) []Prediction
}

// A Prediction is a token with its log-probability.
type Prediction struct {
	Token   ast.Token
	LogProb float64
}
