package remote

import (
	"fmt"
	"go/scanner"
	"go/token"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/difgen/difgen/ast"
)

// endTokens are chat-template and end-of-text tokens that servers
// sometimes leave in an answer; an answer is cut at the first of them.
var endTokens = []string{
	"<|im_end|>", "<|im_start|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>", "<|end|>",
	"<｜end▁of▁sentence｜>", "<|EOT|>", "<EOT>", "<end_of_turn>", "<|return|>", "</s>",
	"<|fim_pad|>", "<|file_sep|>", "<|file_separator|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_prefix|>",
}

// cutEndTokens cuts s at the first end token.
func cutEndTokens(s string) string {
	for _, t := range endTokens {
		if i := strings.Index(s, t); i >= 0 {
			s = s[:i]
		}
	}
	return s
}

var thinkRE = regexp.MustCompile(`(?s)<think>.*?</think>`)

// holeOpenRE matches an opening tag <hole id="K">, tolerating spacing and
// missing quotes.
var holeOpenRE = regexp.MustCompile(`<hole\s+id\s*=\s*["']?(\d+)["']?\s*>`)

// parseAnswer parses a hole-protocol answer for n holes. It returns the
// fills by id (1-based; absent ids missing) and, when the answer breaks the
// protocol, a description of what was wrong.
func parseAnswer(answer string, n int) (map[int]string, string) {
	answer = cutEndTokens(answer)
	answer = thinkRE.ReplaceAllString(answer, "")
	if i := strings.Index(answer, "<think>"); i >= 0 {
		answer = answer[:i] // unfinished thinking
	}
	if i := strings.Index(answer, "</holes>"); i >= 0 {
		answer = answer[:i]
	}
	fills := map[int]string{}
	var problems []string
	rest := answer
	for {
		loc := holeOpenRE.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		id, _ := strconv.Atoi(rest[loc[2]:loc[3]])
		body := rest[loc[1]:]
		end := strings.Index(body, "</hole>")
		next := holeOpenRE.FindStringIndex(body)
		if end < 0 || (next != nil && next[0] < end) {
			problems = append(problems, fmt.Sprintf("hole %d is not closed with </hole>", id))
			if next == nil {
				break
			}
			rest = body[next[0]:]
			continue
		}
		code := body[:end]
		rest = body[end+len("</hole>"):]
		switch {
		case id < 1 || id > n:
			problems = append(problems, fmt.Sprintf("there is no hole %d (ids are 1 to %d)", id, n))
		case fills[id] != "" || hasKey(fills, id):
			problems = append(problems, fmt.Sprintf("hole %d is answered twice", id))
		default:
			fills[id] = stripFences(code)
		}
	}
	if len(fills) == 0 && len(problems) == 0 {
		problems = append(problems, "it has no <hole id=\"K\">…</hole> blocks")
	} else {
		var missing []string
		for id := 1; id <= n; id++ {
			if !hasKey(fills, id) {
				missing = append(missing, strconv.Itoa(id))
			}
		}
		if len(missing) > 0 {
			problems = append(problems, "holes "+strings.Join(missing, ", ")+" are missing")
		}
	}
	sort.Strings(problems)
	return fills, strings.Join(problems, "; ")
}

func hasKey(m map[int]string, k int) bool { _, ok := m[k]; return ok }

var fenceRE = regexp.MustCompile("(?s)^\\s*```[a-zA-Z]*[ \t]*\n?(.*?)\n?[ \t]*```\\s*$")

// stripFences removes a markdown code fence around code.
func stripFences(code string) string {
	if m := fenceRE.FindStringSubmatch(code); m != nil {
		return m[1]
	}
	return code
}

// cleanFill shapes a raw fill of hole h, whose text is followed by suffix
// in the file: end tokens and fences go, an expression is trimmed,
// statements are dedented and re-indented to the hole's line, a fill that
// only repeats the suffix is dropped (""/false), and a fill that runs on
// into the suffix is cut where the suffix starts.
func cleanFill(raw string, h *ast.Hole, lineIndent, suffix string) (string, bool) {
	s := stripFences(cutEndTokens(raw))
	switch h.Kind {
	case ast.Expr, ast.Ident:
		s = strings.TrimSpace(s)
		s = strings.TrimSuffix(s, ";")
	case ast.Tokens:
		// Lines as they stand: a repair may add the closing brace the
		// window lacked.
		s = strings.Trim(s, "\n")
	default:
		s = cutUnbalanced(s)
		s = cutAtSuffix(s, suffix)
		s = reindent(s, lineIndent)
	}
	if s == "" {
		return "", h.Kind == ast.Stmts || h.Kind == ast.Body // empty statements are a fill
	}
	if ts := strings.TrimSpace(suffix); ts != "" && strings.HasPrefix(ts, strings.TrimSpace(s)) && len(strings.TrimSpace(s)) >= 2 {
		return "", false // only repeats what follows the hole
	}
	return s, true
}

// cutUnbalanced cuts statements at the first closing brace, bracket or
// parenthesis that has no opening one: the model ran past the hole.
func cutUnbalanced(s string) string {
	var sc scanner.Scanner
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(s))
	sc.Init(f, []byte(s), func(token.Position, string) {}, 0)
	depth := 0
	for {
		pos, tok, _ := sc.Scan()
		switch tok {
		case token.EOF:
			return s
		case token.LBRACE, token.LPAREN, token.LBRACK:
			depth++
		case token.RBRACE, token.RPAREN, token.RBRACK:
			depth--
			if depth < 0 {
				return strings.TrimRight(s[:f.Offset(pos)], " \t\n")
			}
		}
	}
}

// cutAtSuffix cuts s where a line equal to the first non-blank line of
// suffix begins, when that line is distinctive (8 bytes or more).
func cutAtSuffix(s, suffix string) string {
	first := ""
	for _, l := range strings.Split(suffix, "\n") {
		if t := strings.TrimSpace(l); t != "" {
			first = t
			break
		}
	}
	if len(first) < 8 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if i > 0 && strings.TrimSpace(l) == first {
			return strings.Join(lines[:i], "\n")
		}
	}
	return s
}

// reindent removes the common indentation of s's lines and indents every
// line after the first with indent, the indentation of the hole's line.
func reindent(s, indent string) string {
	lines := strings.Split(strings.TrimRight(s, " \t\n"), "\n")
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	if len(lines) == 0 {
		return ""
	}
	common := ""
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		lead := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if i == 0 || len(lead) < len(common) {
			common = lead
		}
	}
	// Space indentation becomes tabs, one per unit of the smallest indent.
	unit := 0
	for _, l := range lines {
		l = strings.TrimPrefix(l, common)
		n := len(l) - len(strings.TrimLeft(l, " "))
		if n > 0 && strings.TrimSpace(l) != "" && (unit == 0 || n < unit) {
			unit = n
		}
	}
	for i, l := range lines {
		l = strings.TrimPrefix(l, common)
		if unit > 0 {
			n := len(l) - len(strings.TrimLeft(l, " "))
			l = strings.Repeat("\t", n/unit) + l[n/unit*unit:]
		}
		if strings.TrimSpace(l) == "" {
			l = ""
		} else if i > 0 {
			l = indent + l
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}
