package local

// fittedPriors are the priors in use. (Until the first fit: the weights
// that reproduce the hand-set ranking this table replaced.)
var fittedPriors = func() Priors {
	p := Priors{Gen: map[string]GenWeights{}}
	edits := map[string]bool{"operator": true, "literal": true, "rename": true, "unary": true, "swapargs": true}
	for _, g := range generators {
		w := GenWeights{Key: 1}
		if !edits[g.name] {
			w.Bias[ctxTest] = -2
		}
		p.Gen[g.name] = w
	}
	for x := range numCtx {
		p.LM[x] = LMWeights{Weight: 0.3, Bonus: 2.5, Clamp: 3}
	}
	p.LM[ctxPredict] = LMWeights{Weight: 1, Bonus: 2.5, Clamp: 8}
	p.LM[ctxPredictIdent] = LMWeights{Weight: 1, Bonus: 0, Clamp: 8}
	return p
}()
