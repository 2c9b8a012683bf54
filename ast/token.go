package ast

// TokenKind classifies a Go token for the token model and for reporting
// accuracy by class.
type TokenKind uint8

const (
	Operator   TokenKind = iota // operators and delimiters, e.g. +, (, :=
	Keyword                     // Go keywords
	IdentPiece                  // a piece of an identifier (see Token.Start)
	Literal                     // a basic literal, normalised (see Tokenize)
	Comment
	EOF
)

// A Token is one unit of the token model's vocabulary.
type Token struct {
	Kind TokenKind
	// Text is the token's text. Identifiers are split into camelCase and
	// underscore pieces; rare literals are replaced by a class placeholder.
	Text string
	// Start reports whether an identifier piece begins a new identifier.
	Start bool
	// Off and End are the byte span in the source the token came from.
	Off, End int
}
