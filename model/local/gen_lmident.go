package local

// lmIdents proposes the token model's own whole identifiers at the hole
// (see [Identifiers]), each with a prior by its log-probability relative
// to the best.
func (c *holeCtx) lmIdents() {
	lm := c.d.lm
	if lm == nil {
		return
	}
	left, right := c.context(8)
	guesses := Identifiers(lm, left, right, 24)
	for _, g := range guesses {
		c.add(g.Text, 0.3*(g.LogProb-guesses[0].LogProb)-1)
	}
}
