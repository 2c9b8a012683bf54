// client.mjs drives `difgen lsp` with the VS Code protocol client
// (vscode-languageserver-protocol over vscode-jsonrpc), as VS Code's
// language client does: it opens each scenario's file, makes the unsaved
// edit, asks for code actions, resolves and applies the one it expects,
// runs the same fix again through workspace/executeCommand (applied by
// workspace/applyEdit), and saves the buffer. TestLSPVSCodeClient in
// cmd/difgen/lsp_test.go runs it:
//
//	node client.mjs DIFGEN SCENARIOS.json
//
// and then builds and tests the packages it saved. Any failed check
// exits 1.

import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';
import * as lsp from 'vscode-languageserver-protocol/node';

const [difgen, scenarioFile] = process.argv.slice(2);
const scenarios = JSON.parse(readFileSync(scenarioFile, 'utf8'));

const server = spawn(difgen, ['lsp', '-budget=steps=4', '-v'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = lsp.createProtocolConnection(
	new lsp.StreamMessageReader(server.stdout),
	new lsp.StreamMessageWriter(server.stdin));

// The editor's buffers: uri → {version, text}.
const buffers = new Map();
const progress = [];
const messages = [];
const appliedEdits = [];

// applyEdits applies LSP text edits (UTF-16 positions, which are what
// JavaScript strings index) to text.
function applyEdits(text, edits) {
	const offset = (pos) => {
		let off = 0;
		for (let l = 0; l < pos.line; l++) {
			const i = text.indexOf('\n', off);
			assert.ok(i >= 0, `line ${pos.line} past the end`);
			off = i + 1;
		}
		return off + pos.character;
	};
	const spans = edits.map((e) => ({ start: offset(e.range.start), end: offset(e.range.end), text: e.newText }));
	spans.sort((a, b) => b.start - a.start);
	for (const s of spans) {
		text = text.slice(0, s.start) + s.text + text.slice(s.end);
	}
	return text;
}

// applyWorkspaceEdit applies a WorkspaceEdit to the buffers, checking the
// versions as VS Code does; it returns false on a stale edit.
function applyWorkspaceEdit(edit) {
	for (const dc of edit.documentChanges ?? []) {
		const buf = buffers.get(dc.textDocument.uri);
		assert.ok(buf, `edit of ${dc.textDocument.uri}, which is not open`);
		if (dc.textDocument.version !== null && dc.textDocument.version !== buf.version) {
			return false;
		}
	}
	for (const dc of edit.documentChanges ?? []) {
		const buf = buffers.get(dc.textDocument.uri);
		buf.text = applyEdits(buf.text, dc.edits);
		buf.version++;
		conn.sendNotification(lsp.DidChangeTextDocumentNotification.type, {
			textDocument: { uri: dc.textDocument.uri, version: buf.version },
			contentChanges: [{ text: buf.text }],
		});
	}
	return true;
}

conn.onRequest(lsp.WorkDoneProgressCreateRequest.type, () => null);
conn.onNotification('$/progress', (p) => progress.push(p));
conn.onNotification(lsp.ShowMessageNotification.type, (m) => messages.push(m));
conn.onRequest(lsp.ApplyWorkspaceEditRequest.type, (p) => {
	appliedEdits.push(p);
	return { applied: applyWorkspaceEdit(p.edit) };
});
conn.listen();

// rangeOf returns the range of the first occurrence of s in text.
function rangeOf(text, s) {
	const i = text.indexOf(s);
	assert.ok(i >= 0, `${JSON.stringify(s)} is not in the buffer`);
	const pos = (off) => {
		const before = text.slice(0, off);
		const line = before.split('\n').length - 1;
		return { line, character: off - (before.lastIndexOf('\n') + 1) };
	};
	return { start: pos(i), end: pos(i + s.length) };
}

const init = await conn.sendRequest(lsp.InitializeRequest.type, {
	processId: process.pid,
	rootUri: null,
	capabilities: {
		general: { positionEncodings: ['utf-16'] },
		window: { workDoneProgress: true },
		workspace: { applyEdit: true, workspaceEdit: { documentChanges: true } },
		textDocument: {
			synchronization: { didSave: true },
			codeAction: {
				dataSupport: true,
				resolveSupport: { properties: ['edit'] },
				codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor', 'source'] } },
				tagSupport: { valueSet: [1] },
			},
		},
	},
});
assert.equal(init.serverInfo.name, 'difgen');
assert.equal(init.capabilities.codeActionProvider.resolveProvider, true);
assert.deepEqual(init.capabilities.executeCommandProvider.commands, ['difgen.fillHole', 'difgen.fixFile', 'difgen.fixPackage']);
await conn.sendNotification(lsp.InitializedNotification.type, {});

const results = [];
for (const sc of scenarios) {
	const uri = pathToFileURL(sc.open).href;
	const disk = readFileSync(sc.open, 'utf8');
	buffers.set(uri, { version: 1, text: disk });
	await conn.sendNotification(lsp.DidOpenTextDocumentNotification.type, {
		textDocument: { uri, languageId: 'go', version: 1, text: disk },
	});
	const buf = buffers.get(uri);
	if (sc.edit) {
		// The unsaved edit, sent incrementally as VS Code does.
		const range = rangeOf(buf.text, sc.edit[0]);
		buf.text = applyEdits(buf.text, [{ range, newText: sc.edit[1] }]);
		buf.version++;
		await conn.sendNotification(lsp.DidChangeTextDocumentNotification.type, {
			textDocument: { uri, version: buf.version },
			contentChanges: [{ range, text: sc.edit[1] }],
		});
	}
	const before = buf.text;
	const diag = {
		range: rangeOf(buf.text, sc.diagnostic.at),
		severity: sc.diagnostic.severity,
		source: 'compiler',
		message: sc.diagnostic.message,
	};
	const params = (triggerKind) => ({
		textDocument: { uri },
		range: diag.range,
		context: { diagnostics: [diag], triggerKind },
	});
	const r = { name: sc.name };

	// The light bulb (triggerKind Automatic): offered before it is
	// computed, with data for codeAction/resolve.
	const t0 = Date.now();
	const auto = await conn.sendRequest(lsp.CodeActionRequest.type, params(lsp.CodeActionTriggerKind.Automatic));
	r.automaticTitles = auto.map((a) => a.title);
	assert.ok(auto.some((a) => a.kind === 'source.difgen.fixFile' && a.title === 'Fix file with difgen'), 'no source.difgen.fixFile action');
	assert.ok(auto.some((a) => a.kind === 'source.difgen.fixPackage' && a.title === 'Fix package with difgen'), 'no source.difgen.fixPackage action');
	assert.ok(!auto.some((a) => a.kind?.startsWith('source.fixAll')), 'a model fix is offered as source.fixAll');

	if (sc.action === 'none') {
		// Resolving the unresolved fix fails, and afterwards the server
		// knows: asking again offers no fix.
		const fix = auto.find((a) => a.title.startsWith('Fix "'));
		assert.ok(fix, `no unresolved fix offered: ${r.automaticTitles}`);
		await assert.rejects(conn.sendRequest(lsp.CodeActionResolveRequest.type, fix), /no change makes the package better/);
		const invoked = await conn.sendRequest(lsp.CodeActionRequest.type, params(lsp.CodeActionTriggerKind.Invoked));
		r.invokedTitles = invoked.map((a) => a.title);
		assert.ok(!invoked.some((a) => a.title.startsWith('Fix "') || a.title === 'Fill hole'), `a fix is offered: ${r.invokedTitles}`);
		assert.equal(buf.text, before, 'the buffer changed');
		results.push(r);
		continue;
	}

	const action = auto.find((a) => a.title === sc.action);
	assert.ok(action, `no action ${JSON.stringify(sc.action)} among ${JSON.stringify(r.automaticTitles)}`);
	assert.ok(!action.edit && action.data, 'the light-bulb action was computed before it was asked for');
	const resolved = await conn.sendRequest(lsp.CodeActionResolveRequest.type, action);
	r.resolveMillis = Date.now() - t0;
	assert.ok(resolved.edit, 'resolve returned no edit');
	assert.equal(resolved.tags, undefined, 'a local-model fix is tagged LLMGenerated');
	const edits = resolved.edit.documentChanges;
	assert.equal(edits.length, 1);
	assert.equal(edits[0].textDocument.version, buf.version, 'the edit is not for the current buffer');
	assert.ok(applyWorkspaceEdit(resolved.edit));
	r.after = buf.text;
	assert.ok(buf.text.includes(sc.want), `the buffer lacks ${JSON.stringify(sc.want)}:\n${buf.text}`);
	assert.equal(readFileSync(sc.open, 'utf8'), disk, 'difgen wrote the file');

	// The same request, explicitly invoked, on the same buffers: it is
	// computed before the answer and comes with its edit (the server saw
	// the applied edit, so there is nothing left to fix or fill).
	const invoked = await conn.sendRequest(lsp.CodeActionRequest.type, params(lsp.CodeActionTriggerKind.Invoked));
	r.invokedAfterTitles = invoked.map((a) => a.title);

	// Back to the broken text, then the command path: executeCommand,
	// which the server answers with workspace/applyEdit.
	buf.version++;
	buf.text = before;
	await conn.sendNotification(lsp.DidChangeTextDocumentNotification.type, {
		textDocument: { uri, version: buf.version },
		contentChanges: [{ text: before }],
	});
	const nApplied = appliedEdits.length;
	const nProgress = progress.length;
	const args = { uri };
	let cmd = 'difgen.fixFile';
	if (sc.action === 'Fill hole') {
		cmd = 'difgen.fillHole';
		args.position = diag.range.start;
	}
	await conn.sendRequest(lsp.ExecuteCommandRequest.type, { command: cmd, arguments: [args] });
	assert.equal(appliedEdits.length, nApplied + 1, 'executeCommand applied no edit');
	assert.equal(buf.text, r.after, 'the command gave another result than the code action');
	const kinds = progress.slice(nProgress).map((p) => p.value.kind);
	assert.equal(kinds[0], 'begin');
	assert.equal(kinds[kinds.length - 1], 'end');
	r.progress = progress.slice(nProgress).map((p) => p.value.message ?? p.value.title);

	// Save: the test builds and tests what the editor wrote.
	writeFileSync(sc.open, buf.text);
	await conn.sendNotification(lsp.DidSaveTextDocumentNotification.type, { textDocument: { uri } });
	results.push(r);
}

// A command on a buffer that is not open is an error, and the server
// keeps running.
await assert.rejects(conn.sendRequest(lsp.ExecuteCommandRequest.type, {
	command: 'difgen.fixFile', arguments: [{ uri: 'file:///nowhere/x.go' }],
}), /not open/);

await conn.sendRequest(lsp.ShutdownRequest.type);
const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
await conn.sendNotification(lsp.ExitNotification.type);
const code = await exited;
assert.equal(code, 0, `difgen lsp exited with ${code}`);
console.log(JSON.stringify({ results, messages }, null, 2));
process.exit(0);
