package local

import "go/token"

// opFamilies lists, for each operator, the operators a slip most often
// replaces it with, most likely first.
var opFamilies = map[token.Token][]token.Token{
	token.EQL:        {token.NEQ, token.LEQ, token.GEQ},
	token.NEQ:        {token.EQL, token.LSS, token.GTR},
	token.LSS:        {token.LEQ, token.GTR, token.NEQ, token.GEQ},
	token.LEQ:        {token.LSS, token.GEQ, token.EQL, token.GTR},
	token.GTR:        {token.GEQ, token.LSS, token.NEQ, token.LEQ},
	token.GEQ:        {token.GTR, token.LEQ, token.EQL, token.LSS},
	token.ADD:        {token.SUB, token.MUL},
	token.SUB:        {token.ADD},
	token.MUL:        {token.QUO, token.ADD},
	token.QUO:        {token.MUL, token.REM},
	token.REM:        {token.QUO},
	token.LAND:       {token.LOR},
	token.LOR:        {token.LAND},
	token.ASSIGN:     {token.DEFINE},
	token.DEFINE:     {token.ASSIGN},
	token.INC:        {token.DEC},
	token.DEC:        {token.INC},
	token.ADD_ASSIGN: {token.SUB_ASSIGN},
	token.SUB_ASSIGN: {token.ADD_ASSIGN},
	token.MUL_ASSIGN: {token.QUO_ASSIGN},
	token.QUO_ASSIGN: {token.MUL_ASSIGN},
	token.AND:        {token.OR},
	token.OR:         {token.AND},
}

// operatorEdits proposes the hole's original text with one operator
// replaced by another of its family (== by !=, < by <=, + by -, && by
// ||, := by =, ++ by --, …).
func (c *holeCtx) operatorEdits() {
	orig := c.h.Original
	for _, t := range c.origTokens() {
		for j, alt := range opFamilies[t.tok] {
			p := -0.6 - 0.3*float64(j)
			switch t.tok {
			case token.ASSIGN, token.DEFINE:
				p = -1.5
			case token.INC, token.DEC:
				p = -1.4 // a loop that runs backwards is rarely the slip
			}
			c.add(orig[:t.off]+alt.String()+orig[t.end:], p)
		}
	}
}
