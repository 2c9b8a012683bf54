package ast

import (
	"cmp"
	goast "go/ast"
	"go/token"
	"slices"
	"strings"

	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
)

// Masking: which nodes can be holes, and what span each masks.
//
//	ident                    x            Ident  the identifier
//	expression               f(x)+1       Expr   the expression
//	statement in a list      y := f(x)    Stmts  the statement
//	block, case body         {⟨  …  ⟩}    Stmts  the bytes strictly inside the braces
//	                         case 1:⟨ … ⟩        (after the colon, to the last statement)
//	function body            {⟨  …  ⟩}    Body   the bytes strictly inside the braces
//
// Nodes whose replacement by a placeholder would not parse are never holes:
// import paths, struct tags, the signature of a declared function or a
// function literal, an interface method's signature, the x.(type) of a
// type switch, the call of a go or defer statement, the receive of a
// select case, and statements outside statement lists (if and for
// headers, which widen to the enclosing statement).

// kindRank orders hole kinds from narrowest to widest, for widening.
var kindRank = [...]int{Ident: 0, Expr: 1, Stmts: 2, Body: 3}

// tokenFile returns the token.File of f, or nil.
func tokenFile(f *goast.File, fset *token.FileSet) *token.File {
	if f == nil || fset == nil {
		return nil
	}
	if f.FileStart.IsValid() {
		return fset.File(f.FileStart)
	}
	return fset.File(f.Package)
}

// clampSpan clamps [start, end) to [0, size].
func clampSpan(start, end, size int) (int, int) {
	start = max(0, min(start, size))
	end = max(start, min(end, size))
	return start, end
}

// declRoot returns the root cursor of an inspector over the top-level
// declaration of f that encloses the positions [start, end], or over all
// of f when none does. Holes never cross declarations, and building an
// inspector over one declaration costs a fraction of the whole file's.
func declRoot(f *goast.File, start, end token.Pos) inspector.Cursor {
	i, _ := slices.BinarySearchFunc(f.Decls, start, func(d goast.Decl, p token.Pos) int {
		return cmp.Compare(d.End(), p) // the first declaration ending at or after start
	})
	if i < len(f.Decls) && f.Decls[i].Pos() <= start && end <= f.Decls[i].End() {
		one := &goast.File{Package: f.Package, Name: f.Name, Decls: f.Decls[i : i+1], FileStart: f.FileStart, FileEnd: f.FileEnd}
		return inspector.New([]*goast.File{one}).Root()
	}
	return inspector.New([]*goast.File{f}).Root()
}

// holeAt returns the hole that masks the node at c, or nil if that node
// cannot be a hole.
func holeAt(c inspector.Cursor, tf *token.File, src string) *Hole {
	k, _ := c.ParentEdge()
	mk := func(kind HoleKind, start, end token.Pos) *Hole {
		if !start.IsValid() || !end.IsValid() {
			return nil
		}
		s, e := clampSpan(tf.Offset(start), tf.Offset(end), len(src))
		return &Hole{File: tf.Name(), Start: s, End: e, Kind: kind, Original: src[s:e]}
	}
	switch n := c.Node().(type) {
	case *goast.Ident:
		return mk(Ident, n.Pos(), n.End())
	case *goast.BlockStmt:
		if !n.Lbrace.IsValid() || !n.Rbrace.IsValid() || n.Rbrace < n.Lbrace {
			return nil
		}
		switch k {
		case edge.FuncDecl_Body, edge.FuncLit_Body:
			return mk(Body, n.Lbrace+1, n.Rbrace)
		case edge.SwitchStmt_Body, edge.TypeSwitchStmt_Body, edge.SelectStmt_Body:
			return nil
		}
		return mk(Stmts, n.Lbrace+1, n.Rbrace)
	case *goast.CaseClause:
		return mk(Stmts, n.Colon+1, n.End())
	case *goast.CommClause:
		return mk(Stmts, n.Colon+1, n.End())
	case goast.Stmt:
		switch k {
		case edge.BlockStmt_List, edge.CaseClause_Body, edge.CommClause_Body:
			if _, bad := n.(*goast.BadStmt); bad {
				return nil
			}
			return mk(Stmts, n.Pos(), n.End())
		}
		return nil
	case goast.Expr:
		if !exprMaskable(c, k) {
			return nil
		}
		return mk(Expr, n.Pos(), n.End())
	}
	return nil
}

// exprMaskable reports whether the expression at c, reached by edge k,
// may be replaced by an identifier and still parse.
func exprMaskable(c inspector.Cursor, k edge.Kind) bool {
	switch n := c.Node().(type) {
	case *goast.BadExpr:
		return false
	case *goast.BasicLit:
		return k != edge.ImportSpec_Path && k != edge.Field_Tag
	case *goast.FuncType:
		return k != edge.FuncDecl_Type && k != edge.FuncLit_Type && n.Func.IsValid()
	case *goast.TypeAssertExpr:
		return n.Type != nil
	case *goast.CallExpr:
		return k != edge.GoStmt_Call && k != edge.DeferStmt_Call
	case *goast.UnaryExpr:
		if n.Op == token.ARROW {
			switch c.Parent().Node().(type) {
			case *goast.ExprStmt, *goast.AssignStmt:
				if pk, _ := c.Parent().ParentEdge(); pk == edge.CommClause_Comm {
					return false
				}
			}
		}
	}
	return true
}

// contains reports whether h's span contains [start, end).
func (h *Hole) contains(start, end int) bool { return h.Start <= start && end <= h.End }

// Smallest returns the hole of the smallest node of f that can be a hole
// and whose span encloses [start, end), byte offsets in src, the text of
// f. It returns nil when no such node exists (the range is at file level,
// or in an import declaration).
func Smallest(f *goast.File, fset *token.FileSet, src string, start, end int) *Hole {
	tf := tokenFile(f, fset)
	if tf == nil {
		return nil
	}
	start, end = clampSpan(start, end, len(src))
	c, ok := declRoot(f, tf.Pos(start), tf.Pos(end)).FindByPos(tf.Pos(start), tf.Pos(end))
	if !ok {
		return nil
	}
	return enclosingHole(c, tf, src, start, end)
}

// enclosingHole walks up from c to the first node that can be a hole
// whose span contains [start, end).
func enclosingHole(c inspector.Cursor, tf *token.File, src string, start, end int) *Hole {
	for ; c.Node() != nil; c = c.Parent() {
		if h := holeAt(c, tf, src); h != nil && h.contains(start, end) {
			return h
		}
	}
	return nil
}

// MaskNode returns the hole that masks n, a node of f: n's own hole when
// n can be a hole, otherwise the smallest enclosing one. It returns nil
// when n is not in f or nothing encloses it.
func MaskNode(f *goast.File, fset *token.FileSet, src string, n goast.Node) *Hole {
	tf := tokenFile(f, fset)
	if tf == nil || n == nil {
		return nil
	}
	c, ok := declRoot(f, n.Pos(), n.End()).FindNode(n)
	if !ok {
		return nil
	}
	if h := holeAt(c, tf, src); h != nil {
		return h // a block's hole lies inside its braces
	}
	start, end := clampSpan(tf.Offset(n.Pos()), tf.Offset(n.End()), len(src))
	return enclosingHole(c, tf, src, start, end)
}

// Widen returns the next larger hole around h in f, parsed from src, the
// current text of h.File: the enclosing expression of an identifier or
// expression, then its statement, the enclosing block's statements, the
// statement holding that block, and so on up to the function body. It
// reports false when h is already a function's body or nothing at file
// level encloses it.
//
// h.Start and h.End must be offsets in src; h.Original is not consulted,
// so h may have been filled since it was made. The new hole's Original is
// the current text of its span. Ranks break ties between equal spans: an
// expression statement f() widens from the expression to the statement.
func Widen(f *goast.File, fset *token.FileSet, src string, h *Hole) (*Hole, bool) {
	tf := tokenFile(f, fset)
	if tf == nil || h == nil {
		return nil, false
	}
	start, end := clampSpan(h.Start, h.End, len(src))
	c, ok := declRoot(f, tf.Pos(start), tf.Pos(end)).FindByPos(tf.Pos(start), tf.Pos(end))
	if !ok {
		return nil, false
	}
	rank := -1
	if int(h.Kind) >= 0 && int(h.Kind) < len(kindRank) {
		rank = kindRank[h.Kind]
	}
	for ; c.Node() != nil; c = c.Parent() {
		switch c.Node().(type) {
		case *goast.FuncDecl, *goast.File:
			return nil, false
		case *goast.GenDecl:
			if _, local := c.Parent().Node().(*goast.DeclStmt); !local {
				return nil, false // a top-level declaration
			}
			continue // var x T in a function: its statement is the hole
		}
		g := holeAt(c, tf, src)
		if g == nil || !g.contains(start, end) {
			continue
		}
		if g.Start == start && g.End == end && kindRank[g.Kind] <= rank {
			continue
		}
		if h.File != "" {
			g.File = h.File
		}
		return g, true
	}
	return nil, false
}

// StmtInsertion returns a zero-width Stmts hole where statements may be
// inserted before the statement or closing brace at offset off of src,
// the text of f: at the start of that line when only indentation precedes
// it there, otherwise at the statement or brace itself. An offset inside a
// statement means that statement; the closing brace of a function body is
// where a missing return goes. Fill the hole through [IndentFill], which
// lays the statements out on lines of their own.
func StmtInsertion(f *goast.File, fset *token.FileSet, src string, off int) *Hole {
	tf := tokenFile(f, fset)
	if tf == nil {
		return nil
	}
	off, _ = clampSpan(off, off, len(src))
	target := off
	if c, ok := declRoot(f, tf.Pos(off), tf.Pos(off)).FindByPos(tf.Pos(off), tf.Pos(off)); ok {
	walk:
		for ; c.Node() != nil; c = c.Parent() {
			switch n := c.Node().(type) {
			case *goast.BlockStmt:
				if rb := tf.Offset(n.Rbrace); n.Rbrace.IsValid() && off >= rb {
					target = rb
				}
				break walk
			case *goast.CaseClause, *goast.CommClause:
				break walk
			case goast.Stmt:
				if k, _ := c.ParentEdge(); k == edge.BlockStmt_List || k == edge.CaseClause_Body || k == edge.CommClause_Body {
					target = tf.Offset(n.Pos())
					break walk
				}
			}
		}
	}
	at := target
	if ls := lineStart(src, target); strings.TrimSpace(src[ls:target]) == "" {
		at = ls
	}
	return &Hole{File: tf.Name(), Start: at, End: at, Kind: Stmts}
}

// lineStart returns the offset of the start of the line holding off.
func lineStart(src string, off int) int {
	return strings.LastIndexByte(src[:off], '\n') + 1
}
