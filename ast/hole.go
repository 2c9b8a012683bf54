package ast

import (
	"fmt"

	"github.com/difgen/difgen/diag"
)

// HoleKind says what syntax may fill a hole.
type HoleKind int

const (
	Expr  HoleKind = iota // an expression
	Stmts                 // zero or more statements
	Body                  // the statements of a function body
	Ident                 // a single identifier
	// Tokens is a window of whole lines around a syntax error: not a
	// node (the parser could not build one), so what fills it is the
	// window's text with tokens inserted, deleted or replaced.
	Tokens
)

var kindNames = [...]string{Expr: "expr", Stmts: "stmts", Body: "body", Ident: "ident", Tokens: "tokens"}

func (k HoleKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("HoleKind(%d)", int(k))
}

// A Hole is a masked span of one file of a canvas: the bytes [Start, End)
// of File are to be replaced by a fill. Start == End is an insertion point
// (a region that must grow).
type Hole struct {
	ID          int // 1..N within one denoising request
	File        string
	Start, End  int
	Kind        HoleKind
	User        bool   // written by the user (__, __("…"), a TODO body)
	Instruction string // the argument of __("…"), if any
	Original    string // the text the hole masks

	// Slot is what go/types knows about the hole, filled in by refine
	// (see Describe); nil when the package did not type-check.
	Slot *Slot

	// Findings are what the hole is asked to answer: the findings of the
	// last check that it is the fix of, with their codes (spans are byte
	// offsets in their File of the request's canvas, like the hole's own;
	// a failing test's is in its test file).
	Findings []diag.Finding
	// Tried says what the checks found in the last fill refine rejected
	// for this hole ("tried "x": undefined: y"), for a denoiser that
	// reads; it decides nothing.
	Tried string
}

// Span returns the hole's span as an edit that restores its original text.
func (h *Hole) Span() Edit { return Edit{Start: h.Start, End: h.End, New: h.Original} }

// Fill returns the edit that fills h with text.
func (h *Hole) Fill(text string) Edit { return Edit{Start: h.Start, End: h.End, New: text} }

// Placeholder returns the placeholder that stands for h in a rendered file:
// __difgen_hole_N__ for expression and identifier holes, and
// __difgen_hole_N__() for statement and body holes.
func (h *Hole) Placeholder() string {
	switch h.Kind {
	case Stmts, Body:
		return fmt.Sprintf("__difgen_hole_%d__()", h.ID)
	}
	return fmt.Sprintf("__difgen_hole_%d__", h.ID)
}
