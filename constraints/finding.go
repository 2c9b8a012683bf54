package constraints

import "github.com/difgen/difgen/diag"

// The vocabulary of findings is package diag's; constraints produces
// them.
type (
	Finding  = diag.Finding
	Related  = diag.Related
	Category = diag.Category
)

// The categories, cheapest check first.
const (
	Syntax = diag.Syntax
	Types  = diag.Types
	Vet    = diag.Vet
	Build  = diag.Build
	Tests  = diag.Tests
)

// Sort sorts findings by file, offset, category and message and removes
// duplicates (see diag.Sort).
func Sort(fs []Finding) []Finding { return diag.Sort(fs) }

// Cost returns the total severity of fs (see diag.Cost).
func Cost(fs []Finding) float64 { return diag.Cost(fs) }
