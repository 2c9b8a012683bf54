package spec

import _ "embed"

//go:embed starter.md
var starter string

// Starter returns the starter spec that difgen gen -init prints: a
// complete example of the format.
func Starter() string { return starter }
