// Package lsp is difgen's language server: it runs beside gopls and offers
// the loop's verified fixes and fills as code actions and commands.
//
// The server is a thin protocol layer over one function, [Options].Repair,
// which runs the loop on a [Job] (a package directory, the editor's
// buffers as an overlay, what to fix or fill) and returns an [Outcome] (the
// changed files, only when the package is better afterwards). Changes to
// the loop need no change here.
//
// # Protocol
//
// The server speaks LSP over a Content-Length framed JSON-RPC 2.0 stream
// (github.com/sourcegraph/jsonrpc2 carries it). It implements:
//
//   - initialize, initialized, shutdown and exit;
//   - textDocument/didOpen, didChange (incremental), didClose, didSave: jobs
//     see the buffers, never stale files on disk;
//   - textDocument/codeAction: on a diagnostic (gopls's), the quick fix
//     "Fix "message" with difgen"; on a hole (__, __("…"), a stub body),
//     "Fill hole"; the source actions "Fix file with difgen"
//     (source.difgen.fixFile) and "Fix package with difgen"
//     (source.difgen.fixPackage). Model fixes are never source.fixAll,
//     which LSP reserves for safe fixes;
//   - codeAction/resolve, for actions offered before they were computed;
//   - workspace/executeCommand of difgen.fillHole, difgen.fixFile and
//     difgen.fixPackage, applying the result with workspace/applyEdit;
//   - $/progress (workDoneProgress) with the step, the holes and the
//     findings left; $/cancelRequest and window/workDoneProgress/cancel,
//     which stop the search and leave the buffers untouched.
//
// Edits a remote model produced carry CodeAction.tags [LLMGenerated]
// (LSP 3.18). The server publishes no diagnostics: compile errors are
// gopls's job. Where a client sends a request the user invoked without
// diagnostics (many send each server only its own), [Options].Findings
// finds the problems of the cursor's line instead.
//
// A message that is framed but is not JSON-RPC gets an error response
// and the server reads on; a client that disconnects ends the server, and
// every job it ran is cancelled and its processes killed first.
package lsp
