// Package ast holds difgen's view of Go source, in three groups of files:
//
//   - canvas*.go: the canvas, immutable content-hashed file snapshots of
//     one package directory (canvas.go), loaded from disk
//     (canvas_load.go), changed only by byte-offset edits
//     (canvas_edit.go), formatted and given their imports
//     (canvas_format.go), with the one mapping between offsets and
//     line:col positions (canvas_position.go);
//   - hole*.go and slot.go: holes, the masked spans of a canvas (hole.go),
//     found in user code (hole_find.go), cut around syntax and widened
//     (hole_mask.go), rendered as placeholders (hole_render.go), and the
//     typed slot go/types computes for a hole once (slot.go);
//   - token*.go: the Go tokenizer shared by the corpus and the local
//     denoiser's token model.
//
// Package ast imports only package diag (the findings a hole answers).
// Wherever it meets go/ast in one file, go/ast is imported as goast.
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
