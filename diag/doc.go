// Package diag is difgen's diagnostic vocabulary: the [Finding] a check
// reports (shaped like analysis.Diagnostic: a span, a category, a code, a
// message, related positions and suggested fixes), the [Category] of the
// check that found it, and typed [Code]s that say what kind of finding it
// is — the go/types error code names, the vet analyzers' names, and the
// kinds of the go command's build and test failures.
//
// Every decision that depends on what a finding is (the shape of the hole
// that answers it, the generators that propose fills for it, what a fill
// may delete) is a switch on its Code, never a match on its message:
// messages are for people, and they change between Go versions. The names
// a finding is about (the undefined identifier, the unused variable) are
// read from its span of the source ([Finding.Subject]), not from its
// message. This package is the only one that reads a message to decide
// anything, and only to give a code to an error that came without one
// (the compiler's output for a cgo package; see [CodeOf]).
//
// Package diag imports only the standard library; every other difgen
// package may import it.
package diag
