package local

import (
	goast "go/ast"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/difgen/difgen/diag"
)

// idioms proposes Go's spelling of what other languages' strings, lists
// and maps have as methods and Go's do not. For x.m or x.m(args) that
// go/types finds undefined on a string, slice, array or map x:
//
//   - len(x) for a length (length, len, size; x a map or channel too);
//   - x = append(x, args...) for a list's append, push or add (extend:
//     x = append(x, ys...)), as a statement;
//   - pkg.F(x, args...), for the function F of strings (x a string) or
//     slices (x a slice) that the name m stands for: F spelled like m
//     (case and underscores aside), or Go's name for it (otherNames:
//     upper → ToUpper, startswith → HasPrefix), read from the package's
//     API and taken only where F has a parameter for x and each argument
//     (strip() is TrimSpace, strip(cs) is Trim);
//   - sep.join(xs) is strings.Join(xs, sep); m.keys() and m.values() are
//     slices.Collect(maps.Keys(m)) and maps.Values'.
//
// Like every candidate, each is type-checked before refine takes it.
func (c *holeCtx) idioms() {
	if c.file == nil || c.info == nil || c.tf == nil {
		return
	}
	for _, f := range c.findings(diag.MissingFieldOrMethod) {
		if f.Start < 0 || f.Start >= c.tf.Size() {
			continue
		}
		pos := c.tf.Pos(f.Start)
		path := pathTo(c.file, pos)
		var sel *goast.SelectorExpr
		for i, n := range path {
			if s, ok := n.(*goast.SelectorExpr); ok && s.Sel.Pos() == pos {
				sel, path = s, path[i+1:]
				break
			}
		}
		if sel == nil {
			continue
		}
		var call *goast.CallExpr
		if len(path) > 0 {
			if ce, ok := path[0].(*goast.CallExpr); ok && ce.Fun == sel {
				call = ce
			}
		}
		stmt := call != nil && len(path) > 1 && isExprStmt(path[1])
		node := goast.Node(sel)
		if call != nil {
			node = call
		}
		start, end := c.tf.Offset(node.Pos()), c.tf.Offset(node.End())
		if start < c.h.Start || end > c.h.End {
			continue // the hole is too small to hold Go's spelling
		}
		x := c.src[c.tf.Offset(sel.X.Pos()):c.tf.Offset(sel.X.End())]
		var args []string
		if call != nil {
			for _, a := range call.Args {
				args = append(args, c.src[c.tf.Offset(a.Pos()):c.tf.Offset(a.End())])
			}
			if call.Ellipsis.IsValid() {
				continue
			}
		}
		for i, text := range c.goSpellings(x, sel.Sel.Name, c.info.TypeOf(sel.X), call != nil, stmt, args) {
			c.add(c.h.Original[:start-c.h.Start]+text+c.h.Original[end-c.h.Start:], 8-float64(i))
		}
	}
}

// pathTo returns the nodes of f that enclose pos, innermost first.
func pathTo(f *goast.File, pos token.Pos) []goast.Node {
	var stack, out []goast.Node
	goast.Inspect(f, func(n goast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if pos < n.Pos() || pos >= n.End() {
			return false
		}
		stack = append(stack, n)
		out = slices.Clone(stack)
		return true
	})
	slices.Reverse(out)
	return out
}

func isExprStmt(n goast.Node) bool {
	_, ok := n.(*goast.ExprStmt)
	return ok
}

// otherNames are other languages' names for what strings and slices
// functions do, by the name's lower case without underscores; each maps
// to the functions to try, in order (the arguments' count picks).
var otherNames = map[string][]string{
	"startswith": {"HasPrefix"}, "endswith": {"HasSuffix"},
	"strip": {"TrimSpace", "Trim"}, "trim": {"TrimSpace", "Trim"},
	"lstrip": {"TrimLeft"}, "rstrip": {"TrimRight"}, "trimstart": {"TrimLeft"}, "trimend": {"TrimRight"},
	"find": {"Index"}, "indexof": {"Index"}, "rfind": {"LastIndex"}, "lastindexof": {"LastIndex"},
	"includes": {"Contains"}, "has": {"Contains"},
	"replace": {"ReplaceAll", "Replace"},
	"upper":   {"ToUpper"}, "lower": {"ToLower"}, "touppercase": {"ToUpper"}, "tolowercase": {"ToLower"},
	"split": {"Fields", "Split"}, "sort": {"Sort"}, "reverse": {"Reverse"},
}

// goSpellings returns Go's spellings of x.m (x.m(args) if called), x of
// type t, best first; stmt says the call is a statement of its own.
func (c *holeCtx) goSpellings(x, m string, t types.Type, called, stmt bool, args []string) []string {
	if t == nil {
		return nil
	}
	key := strings.ToLower(strings.ReplaceAll(m, "_", ""))
	u := t.Underlying()
	if p, ok := u.(*types.Pointer); ok {
		if _, isArray := p.Elem().Underlying().(*types.Array); isArray {
			u = p.Elem().Underlying()
		}
	}
	switch key {
	case "len", "length", "size":
		if len(args) > 0 {
			return nil
		}
		switch u := u.(type) {
		case *types.Basic:
			if u.Info()&types.IsString == 0 {
				return nil
			}
		case *types.Slice, *types.Array, *types.Map, *types.Chan:
		default:
			return nil
		}
		return []string{"len(" + x + ")"}
	}
	var pkg string
	switch u := u.(type) {
	case *types.Basic:
		if u.Info()&types.IsString == 0 {
			return nil
		}
		pkg = "strings"
	case *types.Slice:
		pkg = "slices"
	case *types.Array:
		pkg = "slices"
		x += "[:]"
	case *types.Map:
		switch {
		case called && len(args) == 0 && (key == "keys" || key == "values"):
			return []string{"slices.Collect(maps." + strings.ToUpper(key[:1]) + key[1:] + "(" + x + "))"}
		case called && len(args) == 1 && key == "get":
			return []string{x + "[" + args[0] + "]"}
		}
		return nil
	default:
		return nil
	}
	switch key {
	case "append", "push", "add", "extend":
		if pkg == "slices" && stmt && len(args) > 0 && !strings.HasSuffix(x, "[:]") {
			if key == "extend" {
				if len(args) != 1 {
					return nil
				}
				return []string{x + " = append(" + x + ", " + args[0] + "...)"}
			}
			return []string{x + " = append(" + x + ", " + strings.Join(args, ", ") + ")"}
		}
		return nil
	case "join":
		if pkg == "strings" && called && len(args) == 1 {
			return []string{"strings.Join(" + args[0] + ", " + x + ")"}
		}
		return nil
	}
	if !called {
		return nil
	}
	api := c.rs.stdPackage(c.ctx, pkg)
	if api == nil {
		return nil
	}
	names := otherNames[key]
	for _, n := range api.Scope().Names() {
		if strings.ToLower(n) == key && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	var out []string
	for _, n := range names {
		fn, ok := api.Scope().Lookup(n).(*types.Func)
		if !ok {
			continue
		}
		sig := fn.Type().(*types.Signature)
		if sig.Params().Len() != 1+len(args) && !(sig.Variadic() && sig.Params().Len()-1 <= 1+len(args)) {
			continue // one parameter for x and one for each argument
		}
		call := pkg + "." + n + "(" + strings.Join(append([]string{x}, args...), ", ") + ")"
		// A function that returns the edited slice (Insert, Delete)
		// stands in for a method that edits it in place.
		if stmt && sig.Results().Len() == 1 && pkg == "slices" && !strings.HasSuffix(x, "[:]") {
			if _, isParam := sig.Results().At(0).Type().(*types.TypeParam); isParam && sig.Params().At(0).Type() == sig.Results().At(0).Type() {
				call = x + " = " + call
			}
		}
		out = append(out, call)
	}
	return out
}
