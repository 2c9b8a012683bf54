package ast

import (
	"go/scanner"
	"go/token"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tokenize splits Go source into the token model's vocabulary:
//
//   - Identifiers are split into pieces at camelCase boundaries, at runs of
//     underscores and at runs of digits; the first piece of each identifier
//     has Start set: parseHTTPRequest → parse|HTTP|Request, int64 → int|64,
//     max_len → max|_|len. Concatenating the pieces of one identifier gives
//     it back exactly (see [JoinPieces]).
//   - Keywords are Keyword tokens, operators and delimiters Operator tokens.
//   - Literals are normalised by [NormalizeLiteral]: small, frequent values
//     are kept and the rest become a class placeholder (<int>, <float>,
//     <imag>, <char>, <string>).
//   - Comments are dropped.
//   - Semicolons are kept as ";" Operator tokens, including those the
//     scanner inserts at the end of a line: statement ends are among the
//     most informative contexts. An inserted semicolon has an empty span
//     (Off == End), so it can be told from one written in the source.
//
// Tokenize never fails: scanning errors are ignored and the scanner's
// best effort is returned. No EOF token is emitted.
func Tokenize(src string) []Token {
	return AppendTokens(make([]Token, 0, len(src)/4), src)
}

// AppendTokens appends the tokens of src (see [Tokenize]) to dst.
func AppendTokens(dst []Token, src string) []Token {
	var s scanner.Scanner
	// The file set is a single file based at 1; positions are offsets + 1.
	fset := token.NewFileSet()
	b := []byte(src)
	f := fset.AddFile("", -1, len(b))
	s.Init(f, b, func(token.Position, string) {}, 0)
	base := f.Base()
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		off := int(pos) - base
		switch {
		case tok == token.IDENT:
			dst = appendPieces(dst, lit, off)
		case tok == token.SEMICOLON:
			end := off + 1
			if lit != ";" { // inserted at a newline or at EOF
				end = off
			}
			dst = append(dst, Token{Kind: Operator, Text: ";", Off: off, End: end})
		case tok.IsKeyword():
			dst = append(dst, Token{Kind: Keyword, Text: tok.String(), Off: off, End: off + len(tok.String())})
		case tok.IsLiteral():
			dst = append(dst, Token{Kind: Literal, Text: NormalizeLiteral(tok, lit), Off: off, End: off + len(lit)})
		case tok == token.COMMENT:
			// dropped
		case tok.IsOperator():
			dst = append(dst, Token{Kind: Operator, Text: tok.String(), Off: off, End: off + len(tok.String())})
		default: // ILLEGAL
			if lit != "" {
				dst = append(dst, Token{Kind: Operator, Text: lit, Off: off, End: off + len(lit)})
			}
		}
	}
	return dst
}

// Literal class placeholders produced by [NormalizeLiteral].
const (
	IntClass    = "<int>"
	FloatClass  = "<float>"
	ImagClass   = "<imag>"
	CharClass   = "<char>"
	StringClass = "<string>"
)

// NormalizeLiteral returns the token-model text of a basic literal: the
// literal itself when it is small and likely frequent (integers of at most
// three characters or hex up to 0xffff, short floats, one-character runes
// and escapes, strings of at most 12 bytes without a newline), else the
// class placeholder of its kind.
func NormalizeLiteral(tok token.Token, lit string) string {
	switch tok {
	case token.INT:
		if len(lit) <= 3 || (len(lit) <= 6 && (strings.HasPrefix(lit, "0x") || strings.HasPrefix(lit, "0X"))) {
			return lit
		}
		return IntClass
	case token.FLOAT:
		if len(lit) <= 4 {
			return lit
		}
		return FloatClass
	case token.IMAG:
		return ImagClass
	case token.CHAR:
		if len(lit) <= 4 {
			return lit
		}
		return CharClass
	case token.STRING:
		if len(lit) <= 14 && !strings.ContainsAny(lit, "\n") {
			if lit[0] == '`' { // a short raw string: spell it as an interpreted one
				if s, err := strconv.Unquote(lit); err == nil {
					return strconv.Quote(s)
				}
			}
			return lit
		}
		return StringClass
	}
	return lit
}

// LiteralClass returns the class placeholder of a normalised literal text
// (for example "<int>" for "42").
func LiteralClass(text string) string {
	if text == "" {
		return StringClass
	}
	switch c := text[0]; {
	case c == '<':
		return text
	case c == '"' || c == '`':
		return StringClass
	case c == '\'':
		return CharClass
	case strings.HasSuffix(text, "i"):
		return ImagClass
	case strings.HasPrefix(text, "0x") || strings.HasPrefix(text, "0X"):
		if strings.ContainsAny(text, "pP") {
			return FloatClass
		}
		return IntClass
	case strings.ContainsAny(text, ".eE"):
		return FloatClass
	}
	return IntClass
}

// appendPieces appends the pieces of identifier id found at offset off.
func appendPieces(dst []Token, id string, off int) []Token {
	start := true
	for len(id) > 0 {
		n := pieceLen(id)
		dst = append(dst, Token{Kind: IdentPiece, Text: id[:n], Start: start, Off: off, End: off + n})
		start = false
		id = id[n:]
		off += n
	}
	return dst
}

// SplitIdent splits an identifier into its pieces (see [Tokenize]).
func SplitIdent(id string) []string {
	var out []string
	for len(id) > 0 {
		n := pieceLen(id)
		out = append(out, id[:n])
		id = id[n:]
	}
	return out
}

type runeClass uint8

const (
	clOther runeClass = iota
	clLower
	clUpper
	clDigit
	clUnder
)

func classOf(r rune) runeClass {
	switch {
	case r == '_':
		return clUnder
	case 'a' <= r && r <= 'z':
		return clLower
	case 'A' <= r && r <= 'Z':
		return clUpper
	case '0' <= r && r <= '9':
		return clDigit
	case r < utf8.RuneSelf:
		return clOther
	case unicode.IsUpper(r):
		return clUpper
	case unicode.IsDigit(r):
		return clDigit
	}
	return clLower
}

// pieceLen returns the byte length of the first piece of id (non-empty).
func pieceLen(id string) int {
	r, w := decode(id)
	c := classOf(r)
	i := w
	switch c {
	case clUnder, clDigit, clOther, clLower:
		// A run of one class.
		for i < len(id) {
			r, w := decode(id[i:])
			if classOf(r) != c {
				break
			}
			i += w
		}
		return i
	}
	// Upper: either Upper lower* (a word) or Upper+ (an acronym), where an
	// acronym leaves its last capital to a following lowercase word:
	// HTTPRequest → HTTP|Request.
	if i < len(id) {
		r, _ := decode(id[i:])
		if classOf(r) == clLower {
			for i < len(id) {
				r, w := decode(id[i:])
				if classOf(r) != clLower {
					break
				}
				i += w
			}
			return i
		}
	}
	last := 0
	for i < len(id) {
		r, w := decode(id[i:])
		switch classOf(r) {
		case clUpper:
			last = i
			i += w
			continue
		case clLower:
			if last > 0 {
				return last
			}
		}
		break
	}
	return i
}

func decode(s string) (rune, int) {
	if s[0] < utf8.RuneSelf {
		return rune(s[0]), 1
	}
	return utf8.DecodeRuneInString(s)
}

// JoinPieces joins identifier pieces back into identifiers: each piece with
// Start set begins a new identifier; non-identifier tokens are returned as
// their Text. The result has one string per identifier or other token.
func JoinPieces(toks []Token) []string {
	var out []string
	for i := 0; i < len(toks); {
		t := toks[i]
		if t.Kind != IdentPiece {
			out = append(out, t.Text)
			i++
			continue
		}
		j := i + 1
		for j < len(toks) && toks[j].Kind == IdentPiece && !toks[j].Start {
			j++
		}
		if j == i+1 {
			out = append(out, t.Text)
		} else {
			var b strings.Builder
			for _, p := range toks[i:j] {
				b.WriteString(p.Text)
			}
			out = append(out, b.String())
		}
		i = j
	}
	return out
}

// TokensText renders tokens as Go source text, joining identifier pieces
// and separating other tokens by a space where gofmt would (roughly): it is
// meant for showing predictions and comparing fills, not for formatting.
func TokensText(toks []Token) string {
	var b strings.Builder
	prevWord := false
	for i, s := range JoinPieces(toks) {
		word := s != "" && (isWordByte(s[0]) || s[0] == '"' || s[0] == '\'' || s[0] == '`' || s[0] == '<')
		if i > 0 && (word && prevWord) {
			b.WriteByte(' ')
		}
		b.WriteString(s)
		prevWord = word
	}
	return b.String()
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 0x80 || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
