// Package bench measures repair: it corrupts real Go packages in known
// ways, reads public benchmark suites, runs several fixers on every case
// in a scratch copy and scores what they leave behind.
//
// # Cases
//
// A [Case] is one broken module: a base tree that is copied and never
// modified, plus the files that replace files of that tree. Corruption
// cases come from [Generate], which applies one seeded [Family] of
// error to a package and keeps the case only if it really fails the way
// the family says (a compile error, failing tests, or a hole). Suite
// cases come from [ReadHumanEvalFix], [ReadMBXP] and [ReadHumanEvalX].
// Real pairs ([ParsePairs], [PreparePair]) are releases of real modules
// that a dependency upgrade or a newer go directive breaks, with the
// later release in which upstream fixed them as the reference; refactor
// cases ([RefactorGenerator]) are half-done refactorings of real modules
// (a declaration changed, its uses left).
//
// # Fixers
//
// A [Fixer] runs a command in the scratch copy: difgen fix/fill, goimports
// -w, or goimports plus a loop over gopls quick fixes. Every command runs
// in its own process group and is killed with it at the case's timeout.
//
// # Scoring
//
// [Score] builds, vets and tests the repaired copy, compares it with
// the original and judges its edits for harm ([Harms]); [Summarize]
// groups results by suite and family, and
// [WriteMarkdown], [WriteSVG] and JSON present them.
package bench
