/*
Difgen writes and repairs Go code by masked diffusion: a package is a
canvas of tokens, a hole is a masked span of it, a denoiser proposes
fills, and the Go toolchain's own checks (the parser, go/types, vet, the
build and the package's tests) decide which spans are still wrong.

Usage:

	difgen <command> [arguments]

Each section below is the help of one command ('difgen help command').

# Fix

Fix repairs the packages named by the import path patterns (default ".").
It type-checks each package in-process, masks every span that is still
wrong, asks the denoiser for candidates, and keeps the best canvas, until
the package builds, vets and passes its tests, or the budget is spent.

By default fix prints a unified diff of the repair and writes nothing.
With -w it writes the changed files, and only when the result is better
than the input. Generated files and files outside the main module are
never written. The writes of a run are all or nothing: if a file changed
on disk while difgen ran, or one to write is read-only, nothing is
written. If difgen is killed while writing, the next fix or fill of the
package finishes or undoes that write.

The local model's candidates come from a table of generators (typed
values, the token model's spans, statement templates, near misses of
undefined names, single-token edits, the repairs of type errors, the vet
analyzers' suggested fixes). Before each step's holes, passes repair the
whole package at once: imports (goimports), rename (a rename carried to
every use), field (a deleted field declared again), signature (a changed
signature carried to every call: an argument added from scope or dropped,
a (T, error) result taken and its error handled) and vetall (a vet
analyzer's suggested fix at every finding). -generators=-name leaves a
generator or a pass out, to measure what it contributes.

Exit status: 0 when the packages are clean (or already were), 1 when
findings remain (they are printed as file:line:col: message), 2 on usage
errors.

# Fill

Fill fills the holes of the named packages, or the one hole at a position
(file.go:line:col or file.go:#offset, as gopls writes positions).

A hole is the identifier __ where an expression or statement may stand,
__("instruction") to tell the model what belongs there, or a function
whose body is only __, panic("TODO") or panic("unimplemented"). Fill
changes only the holes (and import blocks), repairing its own fills until
the package type-checks and its tests pass.

Output, -w and exit status are as for 'difgen fix'.

# Gen

Gen generates a Go module from a Markdown spec, by the same refinement
loop as fill: it writes the skeleton the spec gives, then fills every
hole until the package builds, vets and passes the spec's tests.

The spec: headings give structure; a fenced go block with a package
clause starts a file (a first line "// file: path/name.go" names it); a
go block without one continues the last file; a declaration without a
body (func F(x T) R, or a method) becomes a function whose body is a hole
__("…") carrying its doc comment and the prose of its section (EARS lines
and tables included); a block of TestX, ExampleX or BenchmarkX functions,
or fenced as "go test", is a _test.go file; a fenced go.mod block is the
module's go.mod (-module otherwise). Errors name the spec's line and
column. 'difgen gen -init' prints a starter spec.

Gen writes into -o (default: the module path's last element for a new
module, or . inside one): a new module, or a package added to the module
around it. It never overwrites a file that is not this spec's skeleton
without -force. Running gen again on the same output resumes: functions
whose tests pass are kept, and holes still open or whose tests fail are
filled again.

With a remote model (-model openai:NAME), a spec without Go code gets a
first pass that asks the model for the API (declarations, and tests from
the spec's examples), shows it and saves it beside the output as
SPEC.api.md. -model local,openai:NAME sends holes to the local model first
and only what it cannot fill to the remote one.

It prints, per function, filled or not (and why), per test pass or fail,
and the model calls and tokens. Exit status: 0 when every function is
filled and the package builds, vets and passes every spec test; 1
otherwise; 2 on usage errors.

# Lsp

Lsp runs a language server on standard input and output that offers
difgen's fixes and fills as code actions, beside gopls: the editor keeps
gopls for everything else.

On a diagnostic (gopls's, or where the editor sends none, one of difgen's
own syntax, type and vet check of the line) it offers
"Fix "message" with difgen"; on a hole (__,
__("instruction"), a body of only panic("TODO")) it offers "Fill hole";
as source actions, "Fix file with difgen" (source.difgen.fixFile) and
"Fix package with difgen" (source.difgen.fixPackage). The commands
difgen.fixFile, difgen.fixPackage and difgen.fillHole run the same
repairs through workspace/executeCommand and apply them with
workspace/applyEdit. A fix is computed when the user asks for it, on the
editor's buffers (unsaved text included), and offered only when the
package is better afterwards. Cancelling the request stops the search.

The server publishes no diagnostics: compile errors are gopls's. The flags
are those of 'difgen fix' that shape the search; -v logs to stderr, which
editors show in their language server log.

# Mcp

Mcp runs a Model Context Protocol server on standard input and output with
three tools whose results are checked before they are returned:

	difgen_check   the findings of a package (build, vet, tests), awaited,
	               split into new and pre-existing against a git revision
	difgen_fix     repair a package: a unified diff and the build, vet and
	               test verdict of the result
	difgen_fill    fill the holes of a file or package, likewise

Each takes the package directory or a Go file of it as "path" ("dir" and
"package" are accepted too), relative to the server's working directory.
difgen_fix and difgen_fill compute their result through overlays and write
nothing unless asked with "write": true; then they write as 'difgen fix -w'
does, only when the package is better.

The flags are those of 'difgen fix' that shape the search. To add it to
Claude Code: claude mcp add difgen -- difgen mcp

# Train

Train counts the local denoiser's token model (a two-sided n-gram
masked-token model) on Go source and writes it where 'difgen fix' finds it:
$DIFGEN_MODEL, else the user's cache directory (difgen/model-v<N>.bin).
difgen trains the model on first use anyway; run train to choose the corpus
or to rebuild.

The flags are:

	-corpus list
		comma-separated source trees to train on: directories, or module
		versions (module@version, fetched with 'go mod download').
		Default: GOROOT/src.
	-packages list
		train only on these import paths (comma-separated).
	-exclude list
		leave these import paths out (comma-separated; not their
		subpackages), so the model has never seen them; written by
		default to model-v<N>-x<checksum of the list>.bin, the file
		'difgen bench repair' uses for the packages it corrupts.
	-o file
		where to write the model (default as above).
	-holdout
		leave out the held-out packages (FNV-1a of the import path is 0
		mod 10), as 'difgen bench denoise' needs; written by default to
		model-v<N>-holdout.bin.
	-mincount n, -prune n
		vocabulary threshold and n-gram pruning threshold.

# Bench

Bench measures difgen.

	difgen bench denoise [flags]   token and expression accuracy of the local denoiser
	difgen bench repair [flags]    repair rates on corrupted packages and real-data suites,
	                               side by side with goimports and gopls; -pairs FILE adds
	                               real broken→fixed releases (-check only checks them),
	                               -refactor a suite of half-done refactorings of real modules
	difgen bench gen [flags]       difgen gen on specs made from Exercism exercises
	                               (-exercism FILE) or HumanEval-X problems (-humanevalx FILE)
	difgen bench priors [flags]    fit the local denoiser's priors on packages neither
	                               benchmark uses (writes model/local/priors_fitted.go with -o)

Run 'difgen bench denoise -h', 'difgen bench repair -h',
'difgen bench gen -h' or 'difgen bench priors -h' for their flags.

# Version

Version prints difgen's module version (or, for a build from a checkout,
its VCS revision), the Go version that built it, and the local model's
format version, file and training corpus.
*/
package main
