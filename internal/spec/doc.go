// Package spec reads the Markdown specs of difgen gen: it parses the
// Markdown with goldmark and turns the spec's code blocks into the files
// of a module skeleton whose holes carry the spec's prose.
//
// # Format
//
// Headings give the spec its structure; prose, lists, tables and EARS
// lines ("WHEN … THE SYSTEM SHALL …") are instructions. Fenced code
// blocks give the code:
//
//   - a ```go block with a package clause starts a file; a first line
//     "// file: path/name.go" names it (else it is <package>.go, or
//     <package>_test.go for tests);
//   - a ```go block without a package clause continues the last file of
//     its kind (code or tests), or the file its "// file:" line names;
//   - a declaration without a body (func F(x T) R, a method) becomes a
//     function whose body is a hole __("…") that carries its doc comment
//     and the prose of its section; so does a body that is only __,
//     __("…"), panic("TODO") or panic("unimplemented");
//   - a block whose info string is "go test", or whose functions are
//     TestX, BenchmarkX, FuzzX or ExampleX, is a test file (_test.go);
//   - a ```go.mod block is the module's go.mod;
//   - blocks in other languages are left alone.
//
// # Prose
//
// A hole's instruction is its doc comment, then the prose of the
// sections on the way from the spec's top to its declaration, then the
// prose of the sections that declare no hole at all (an overview, the
// examples, the restrictions), in spec order.
//
// # Errors
//
// Errors are reported at the spec's line and column, "spec.md:12:5:
// message", never at the generated file's.
package spec
