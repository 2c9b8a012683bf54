// Package refine runs difgen's denoising loop: check the canvas, turn each
// finding into the smallest hole around it, ask the denoiser for
// candidates, verify them cheapest check first, accept the best canvas,
// widen holes whose finding persists, and repeat until the package is
// clean or the budget is spent.
//
// # Acceptance
//
// A canvas is scored by the total severity of its findings
// (constraints.Cost), plus a penalty for each user hole still open. A step
// is accepted only when it lowers the score, so the result is never worse
// than the input. Only the masked spans change; goimports may touch the
// import block of an edited file, and an edited file that was gofmt-clean
// is formatted again.
//
// # Low-confidence remasking
//
// All holes of a step go to the denoiser in one request. Holes are then
// committed in order of their best candidate's confidence; a hole whose
// candidates do not lower the score stays masked and is widened at the
// next step (identifier → expression → statement → block → function body).
package refine
