// Package ast holds difgen's view of Go source: a canvas of immutable,
// content-hashed file snapshots, holes (masked spans), byte-offset edits,
// and the Go tokenizer shared by the corpus and the local denoiser.
//
// Package ast imports none of the other difgen packages.
//
// # Holes
//
// In user code a hole is the identifier __ wherever an expression or a
// statement may stand; __("instruction") carries an instruction. A function
// whose body is only a hole, panic("TODO") or panic("unimplemented") has a
// body hole. Internally, holes are rendered as numbered placeholders that
// still parse: __difgen_hole_3__ for expressions and __difgen_hole_3__() on
// a line of its own for statements.
//
// # Edits
//
// Every change to a file is an [Edit] over byte offsets; [Apply] applies a
// set of edits, sorting them stably and rejecting overlaps. Masks, fills
// and fixes are all edits.
package ast
