package lsp

import "encoding/json"

// This file holds the parts of the LSP 3.18 protocol the server uses, and
// no more: no LSP library ships the 3.18 types (CodeAction.tags), and the
// server needs few of them.

// Error codes of JSON-RPC and LSP.
const (
	codeParseError           = -32700
	codeInvalidRequest       = -32600
	codeMethodNotFound       = -32601
	codeInvalidParams        = -32602
	codeInternalError        = -32603
	codeServerNotInitialized = -32002
	codeRequestFailed        = -32803
	codeContentModified      = -32801
	codeRequestCancelled     = -32800
)

// Code action kinds.
const (
	kindQuickFix          = "quickfix"
	kindRefactorRewrite   = "refactor.rewrite"
	kindSource            = "source"
	kindSourceFixFile     = "source.difgen.fixFile"
	kindSourceFixPackage  = "source.difgen.fixPackage"
	tagLLMGenerated       = 1 // CodeActionTag.LLMGenerated (LSP 3.18)
	triggerKindInvoked    = 1 // CodeActionTriggerKind.Invoked
	triggerKindAutomatic  = 2 // CodeActionTriggerKind.Automatic
	severityError         = 1 // DiagnosticSeverity.Error
	severityWarning       = 2 // DiagnosticSeverity.Warning
	messageTypeError      = 1 // MessageType.Error
	messageTypeInfo       = 3 // MessageType.Info
	messageTypeLog        = 4 // MessageType.Log
	syncIncremental       = 2 // TextDocumentSyncKind.Incremental
	encodingUTF8          = "utf-8"
	encodingUTF16         = "utf-16"
	cmdFillHole           = "difgen.fillHole"
	cmdFixFile            = "difgen.fixFile"
	cmdFixPackage         = "difgen.fixPackage"
	methodApplyEdit       = "workspace/applyEdit"
	methodProgress        = "$/progress"
	methodProgressCreate  = "window/workDoneProgress/create"
	methodShowMessage     = "window/showMessage"
	methodLogMessage      = "window/logMessage"
	methodCancelRequest   = "$/cancelRequest"
	methodInitialize      = "initialize"
	methodInitialized     = "initialized"
	methodShutdown        = "shutdown"
	methodExit            = "exit"
	methodDidOpen         = "textDocument/didOpen"
	methodDidChange       = "textDocument/didChange"
	methodDidClose        = "textDocument/didClose"
	methodDidSave         = "textDocument/didSave"
	methodCodeAction      = "textDocument/codeAction"
	methodResolve         = "codeAction/resolve"
	methodExecuteCommand  = "workspace/executeCommand"
	methodSetTrace        = "$/setTrace"
	methodDidChangeConfig = "workspace/didChangeConfiguration"
)

type initializeParams struct {
	ProcessID             *int               `json:"processId"`
	RootURI               string             `json:"rootUri,omitempty"`
	Capabilities          clientCapabilities `json:"capabilities"`
	InitializationOptions json.RawMessage    `json:"initializationOptions,omitempty"`
}

type clientCapabilities struct {
	General struct {
		PositionEncodings []string `json:"positionEncodings,omitempty"`
	} `json:"general"`
	Window struct {
		WorkDoneProgress bool `json:"workDoneProgress,omitempty"`
	} `json:"window"`
	Workspace struct {
		ApplyEdit     bool `json:"applyEdit,omitempty"`
		WorkspaceEdit struct {
			DocumentChanges bool `json:"documentChanges,omitempty"`
		} `json:"workspaceEdit"`
	} `json:"workspace"`
	TextDocument struct {
		CodeAction struct {
			DataSupport    bool `json:"dataSupport,omitempty"`
			ResolveSupport *struct {
				Properties []string `json:"properties"`
			} `json:"resolveSupport,omitempty"`
		} `json:"codeAction"`
	} `json:"textDocument"`
}

type initializeResult struct {
	Capabilities serverCapabilities `json:"capabilities"`
	ServerInfo   serverInfo         `json:"serverInfo"`
}

type serverInfo struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

type serverCapabilities struct {
	PositionEncoding       string                 `json:"positionEncoding"`
	TextDocumentSync       textDocumentSync       `json:"textDocumentSync"`
	CodeActionProvider     codeActionOptions      `json:"codeActionProvider"`
	ExecuteCommandProvider executeCommandOptions  `json:"executeCommandProvider"`
	Experimental           map[string]interface{} `json:"experimental,omitempty"`
}

type textDocumentSync struct {
	OpenClose bool `json:"openClose"`
	Change    int  `json:"change"`
	Save      bool `json:"save"`
}

type codeActionOptions struct {
	CodeActionKinds  []string `json:"codeActionKinds"`
	ResolveProvider  bool     `json:"resolveProvider"`
	WorkDoneProgress bool     `json:"workDoneProgress"`
}

type executeCommandOptions struct {
	Commands         []string `json:"commands"`
	WorkDoneProgress bool     `json:"workDoneProgress"`
}

// position is a zero-based line and character offset in the negotiated
// encoding (UTF-16 code units unless the client offered UTF-8).
type position struct {
	Line      uint32 `json:"line"`
	Character uint32 `json:"character"`
}

type lspRange struct {
	Start position `json:"start"`
	End   position `json:"end"`
}

type textDocumentIdentifier struct {
	URI string `json:"uri"`
}

type textDocumentItem struct {
	URI        string `json:"uri"`
	LanguageID string `json:"languageId"`
	Version    int32  `json:"version"`
	Text       string `json:"text"`
}

type versionedTextDocumentIdentifier struct {
	URI     string `json:"uri"`
	Version int32  `json:"version"`
}

// optionalVersionedTextDocumentIdentifier names a document in an edit; a
// nil Version means the file on disk (not open in the editor).
type optionalVersionedTextDocumentIdentifier struct {
	URI     string `json:"uri"`
	Version *int32 `json:"version"`
}

type didOpenParams struct {
	TextDocument textDocumentItem `json:"textDocument"`
}

type didChangeParams struct {
	TextDocument   versionedTextDocumentIdentifier `json:"textDocument"`
	ContentChanges []contentChange                 `json:"contentChanges"`
}

// contentChange replaces Range (or the whole text when Range is nil).
type contentChange struct {
	Range *lspRange `json:"range,omitempty"`
	Text  string    `json:"text"`
}

type didCloseParams struct {
	TextDocument textDocumentIdentifier `json:"textDocument"`
}

// diagnostic is a client's diagnostic (gopls's, usually), echoed back in
// the code actions that fix it; fields the server does not read are kept
// as they came.
type diagnostic struct {
	Range              lspRange        `json:"range"`
	Severity           int             `json:"severity,omitempty"`
	Code               json.RawMessage `json:"code,omitempty"`
	CodeDescription    json.RawMessage `json:"codeDescription,omitempty"`
	Source             string          `json:"source,omitempty"`
	Message            string          `json:"message"`
	Tags               json.RawMessage `json:"tags,omitempty"`
	RelatedInformation json.RawMessage `json:"relatedInformation,omitempty"`
	Data               json.RawMessage `json:"data,omitempty"`
}

type codeActionParams struct {
	TextDocument  textDocumentIdentifier `json:"textDocument"`
	Range         lspRange               `json:"range"`
	Context       codeActionContext      `json:"context"`
	WorkDoneToken json.RawMessage        `json:"workDoneToken,omitempty"`
}

type codeActionContext struct {
	Diagnostics []diagnostic `json:"diagnostics"`
	Only        []string     `json:"only,omitempty"`
	TriggerKind int          `json:"triggerKind,omitempty"`
}

type codeAction struct {
	Title       string          `json:"title"`
	Kind        string          `json:"kind,omitempty"`
	Diagnostics []diagnostic    `json:"diagnostics,omitempty"`
	IsPreferred bool            `json:"isPreferred,omitempty"`
	Edit        *workspaceEdit  `json:"edit,omitempty"`
	Command     *command        `json:"command,omitempty"`
	Data        json.RawMessage `json:"data,omitempty"`
	Tags        []int           `json:"tags,omitempty"`
}

type command struct {
	Title     string            `json:"title"`
	Command   string            `json:"command"`
	Arguments []json.RawMessage `json:"arguments,omitempty"`
}

type workspaceEdit struct {
	Changes         map[string][]textEdit `json:"changes,omitempty"`
	DocumentChanges []textDocumentEdit    `json:"documentChanges,omitempty"`
}

type textDocumentEdit struct {
	TextDocument optionalVersionedTextDocumentIdentifier `json:"textDocument"`
	Edits        []textEdit                              `json:"edits"`
}

type textEdit struct {
	Range   lspRange `json:"range"`
	NewText string   `json:"newText"`
}

type applyWorkspaceEditParams struct {
	Label string        `json:"label,omitempty"`
	Edit  workspaceEdit `json:"edit"`
}

type applyWorkspaceEditResult struct {
	Applied       bool   `json:"applied"`
	FailureReason string `json:"failureReason,omitempty"`
}

type executeCommandParams struct {
	Command       string            `json:"command"`
	Arguments     []json.RawMessage `json:"arguments,omitempty"`
	WorkDoneToken json.RawMessage   `json:"workDoneToken,omitempty"`
}

type workDoneProgressCreateParams struct {
	Token json.RawMessage `json:"token"`
}

type progressParams struct {
	Token json.RawMessage `json:"token"`
	Value any             `json:"value"`
}

type workDoneProgressBegin struct {
	Kind        string `json:"kind"` // "begin"
	Title       string `json:"title"`
	Cancellable bool   `json:"cancellable"`
	Message     string `json:"message,omitempty"`
}

type workDoneProgressReport struct {
	Kind    string `json:"kind"` // "report"
	Message string `json:"message,omitempty"`
}

type workDoneProgressEnd struct {
	Kind    string `json:"kind"` // "end"
	Message string `json:"message,omitempty"`
}

type showMessageParams struct {
	Type    int    `json:"type"`
	Message string `json:"message"`
}

type cancelParams struct {
	ID json.RawMessage `json:"id"`
}
