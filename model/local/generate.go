package local

import (
	"fmt"
	"go/token"
	"slices"
	"strings"

	"github.com/difgen/difgen/ast"
	"github.com/difgen/difgen/diag"
)

// A generator proposes candidate fills for holes: a row of the table
// below, in the style of gopls's codeActionProducers. Each names the
// hole kinds and the finding codes it answers, never message text, and
// proposes fills from the hole's slot (ast.Slot) and its findings. The
// token model ranks what the generators propose (with the fitted priors
// of priors.go); the request's Verify, backed by the one checker,
// verifies the best of them.
//
// Adding a generator is one file (gen_<name>.go, its function), one row
// here and one scenario (testdata/<name>.txtar, where the wanted fill is
// the generator's).
type generator struct {
	name string
	// kinds are the hole kinds it answers; nil means every kind but
	// ast.Tokens, which only a generator that names it answers.
	kinds []ast.HoleKind
	// codes are the finding codes it answers: the hole must answer a
	// finding with one of them. Nil means the generator needs none.
	codes []diag.Code
	// vet reports whether it answers every vet finding, whatever the
	// analyzer.
	vet bool
	// when, if set, says whether it applies to the hole beyond its kind
	// and codes.
	when func(c *holeCtx) bool
	// gen proposes the fills, by holeCtx.add.
	gen func(c *holeCtx)
}

var (
	exprKinds = []ast.HoleKind{ast.Expr, ast.Ident}
	stmtKinds = []ast.HoleKind{ast.Stmts, ast.Body}
)

// generators is the table of generators, in the order they run.
var generators = [...]generator{
	{name: "typed", kinds: exprKinds, when: valueSlot, gen: (*holeCtx).exprCandidates},
	{name: "typename", kinds: exprKinds, when: predictingRole(ast.RoleType), gen: (*holeCtx).typeNames},
	{name: "lmident", kinds: exprKinds, when: (*holeCtx).predicting, gen: (*holeCtx).lmIdents},
	{name: "unmask", kinds: exprKinds, when: valueSlot, gen: (*holeCtx).unmask},
	{name: "template", kinds: stmtKinds, when: notRepair, gen: (*holeCtx).templateCandidates},
	{name: "body", kinds: []ast.HoleKind{ast.Body}, when: notRepair, gen: (*holeCtx).bodyCandidates},
	{name: "synth", kinds: []ast.HoleKind{ast.Body}, when: notRepair, gen: (*holeCtx).synthBodies},
	{name: "nearmiss", codes: []diag.Code{diag.UndeclaredName, diag.UndeclaredImportedName, diag.MissingFieldOrMethod}, when: hasOriginal, gen: (*holeCtx).nearMiss},
	{name: "operator", when: (*holeCtx).repairing, gen: (*holeCtx).operatorEdits},
	{name: "literal", when: (*holeCtx).repairing, gen: (*holeCtx).literalEdits},
	{name: "rename", when: (*holeCtx).repairing, gen: (*holeCtx).renameEdits},
	{name: "unary", when: (*holeCtx).repairing, gen: (*holeCtx).unaryEdits},
	{name: "swapargs", when: (*holeCtx).repairing, gen: (*holeCtx).swapArgs},
	{name: "unusedvar", codes: []diag.Code{diag.UnusedVar}, when: typed, gen: (*holeCtx).unusedVars},
	{name: "define", codes: []diag.Code{diag.NoNewVar}, when: typed, gen: (*holeCtx).defineEdits},
	{name: "returncount", codes: []diag.Code{diag.WrongResultCount}, when: typed, gen: (*holeCtx).returnCount},
	{name: "missingreturn", codes: []diag.Code{diag.MissingReturn}, gen: (*holeCtx).missingReturn},
	{name: "convert", codes: []diag.Code{diag.IncompatibleAssign}, when: typed, gen: (*holeCtx).convertEdits},
	{name: "adapt", codes: []diag.Code{diag.IncompatibleAssign, diag.CannotInferTypeArgs}, when: typed, gen: (*holeCtx).adaptEdits},
	{name: "declare", codes: []diag.Code{diag.UndeclaredName}, when: typed, gen: (*holeCtx).declareNames},
	{name: "vetfix", vet: true, when: (*holeCtx).repairing, gen: (*holeCtx).vetFixes},
	{name: "idiom", codes: []diag.Code{diag.MissingFieldOrMethod}, when: typed, gen: (*holeCtx).idioms},
	{name: "syntax", kinds: []ast.HoleKind{ast.Tokens}, codes: []diag.Code{diag.SyntaxError}, when: hasOriginal, gen: (*holeCtx).syntaxRepairs},
}

// GeneratorNames returns the names of the generators, in table order.
func GeneratorNames() []string {
	var out []string
	for _, g := range generators {
		out = append(out, g.name)
	}
	return out
}

// ParseGenerators parses a -generators value: a comma-separated list of
// generator names to use, or of names each preceded by "-" to leave out
// of all of them ("-operator,-literal"); "" or "all" means all. It
// returns the generators to use, for Options.Generators.
func ParseGenerators(spec string) ([]string, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "all" {
		return nil, nil
	}
	all := GeneratorNames()
	var on, off []string
	for _, f := range strings.Split(spec, ",") {
		f = strings.TrimSpace(f)
		name, neg := strings.CutPrefix(f, "-")
		if !slices.Contains(all, name) {
			return nil, fmt.Errorf("unknown generator %q (generators: %s)", name, strings.Join(all, ", "))
		}
		if neg {
			off = append(off, name)
		} else {
			on = append(on, name)
		}
	}
	if len(on) > 0 && len(off) > 0 {
		return nil, fmt.Errorf("generators %q: either names to use or -names to leave out, not both", spec)
	}
	if len(on) > 0 {
		return on, nil
	}
	return slices.DeleteFunc(all, func(n string) bool { return slices.Contains(off, n) }), nil
}

// applies reports whether g answers the hole of c.
func (g *generator) applies(c *holeCtx) bool {
	if g.kinds != nil && !slices.Contains(g.kinds, c.h.Kind) || g.kinds == nil && c.h.Kind == ast.Tokens {
		return false
	}
	if g.codes != nil || g.vet {
		if !slices.ContainsFunc(c.h.Findings, func(f diag.Finding) bool {
			return slices.Contains(g.codes, f.Code) || g.vet && f.Category == diag.Vet
		}) {
			return false
		}
	}
	return g.when == nil || g.when(c)
}

// generate runs every enabled generator that answers the hole.
func (c *holeCtx) generate() {
	for i := range generators {
		g := &generators[i]
		if !c.d.enabled[i] || !g.applies(c) {
			continue
		}
		c.gen = i
		g.gen(c)
	}
	if c.predicting() && c.h.Kind == ast.Ident {
		c.keepIdents()
	}
}

// predicting reports whether the hole asks for new code rather than a
// repair: an identifier or expression hole with no original text.
func (c *holeCtx) predicting() bool {
	return c.h.Original == "" && (c.h.Kind == ast.Ident || c.h.Kind == ast.Expr)
}

// repairing reports whether the hole masks code of the user's to repair
// (not a hole the user wrote).
func (c *holeCtx) repairing() bool { return c.h.Original != "" && !c.h.User }

func notRepair(c *holeCtx) bool   { return !c.repairing() }
func hasOriginal(c *holeCtx) bool { return c.h.Original != "" }
func typed(c *holeCtx) bool       { return c.info != nil }

// role returns what the hole's syntax does (a value when unknown).
func (c *holeCtx) role() ast.SlotRole {
	if c.slot == nil {
		return ast.RoleValue
	}
	return c.slot.Role
}

// valueSlot reports whether values fill the hole: any expression hole
// but a prediction of a type or of a name being declared.
func valueSlot(c *holeCtx) bool { return !c.predicting() || c.role() == ast.RoleValue }

// predictingRole returns the condition of a prediction of the role r.
func predictingRole(r ast.SlotRole) func(*holeCtx) bool {
	return func(c *holeCtx) bool { return c.predicting() && c.role() == r }
}

// keepIdents drops the candidates of an identifier hole that are not a
// single identifier.
func (c *holeCtx) keepIdents() {
	order := c.order[:0]
	for _, t := range c.order {
		if token.IsIdentifier(t) {
			order = append(order, t)
		} else {
			delete(c.cands, t)
		}
	}
	c.order = order
}
