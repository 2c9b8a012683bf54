-- codeaction.lua drives `difgen lsp` with Neovim's built-in LSP client,
-- headless. TestLSPNeovim in cmd/difgen/lsp_test.go runs it:
--
--   DIFGEN_NVIM=config.json nvim --headless -n -u NONE -i NONE -c 'luafile codeaction.lua'
--
-- For each scenario it opens the file, makes the unsaved edit, puts the
-- cursor on the problem, asks for code actions with
-- vim.lsp.buf.code_action (the user's command), picks the expected one the
-- way a user would in vim.ui.select, waits for the edit, writes the file
-- and stops the client. It writes what it saw to the config's "out" file
-- and exits 1 on the first failure; the test then builds and tests the
-- written packages.

local cfg = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv('DIFGEN_NVIM')), '\n'))
local report = { nvim = vim.version(), results = {} }

local function finish(err)
  report.error = err
  vim.fn.writefile({ vim.fn.json_encode(report) }, cfg.out)
  if err then
    vim.cmd('cquit 1')
  end
  vim.cmd('qall!')
end

local function buffer_text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') .. '\n'
end

-- find returns the 0-based line and byte column of the first occurrence of s.
local function find(bufnr, s)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local col = line:find(s, 1, true)
    if col then
      return i - 1, col - 1
    end
  end
  return nil
end

local function run(sc)
  local result = { name = sc.name }
  table.insert(report.results, result)
  vim.cmd('edit ' .. vim.fn.fnameescape(sc.open))
  local bufnr = vim.api.nvim_get_current_buf()

  -- Start difgen lsp for the buffer: vim.lsp.start where Neovim has it
  -- (0.8 and later), vim.lsp.start_client and buf_attach_client before.
  local config = {
    name = 'difgen',
    cmd = { cfg.difgen, 'lsp', '-budget=steps=4' },
    root_dir = vim.fn.fnamemodify(sc.open, ':h'),
  }
  local client_id
  if vim.lsp.start then
    client_id = vim.lsp.start(config)
    result.start = 'vim.lsp.start'
  else
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(bufnr, client_id)
    result.start = 'vim.lsp.start_client'
  end
  if not vim.wait(60000, function()
    local c = vim.lsp.get_client_by_id(client_id)
    return c ~= nil and c.initialized
  end, 50) then
    return 'difgen lsp did not initialize'
  end

  -- The unsaved edit.
  if sc.edit then
    local line, col = find(bufnr, sc.edit[1])
    if not line then
      return 'edit: text not found: ' .. sc.edit[1]
    end
    vim.api.nvim_buf_set_text(bufnr, line, col, line, col + #sc.edit[1], { sc.edit[2] })
  end
  local edited = buffer_text(bufnr)

  -- The cursor on the problem. No gopls runs here, so the request
  -- carries no diagnostics (as from Neovim 0.10 on, where each server gets
  -- only its own): difgen finds the problem itself.
  local line, col = find(bufnr, sc.diagnostic.at)
  if not line then
    return 'text not found: ' .. sc.diagnostic.at
  end
  vim.api.nvim_win_set_cursor(0, { line + 1, col })

  -- Pick the expected action as a user would.
  local offered
  vim.ui.select = function(items, opts, on_choice)
    offered = {}
    local pick
    for _, item in ipairs(items) do
      local title = opts.format_item(item)
      table.insert(offered, title)
      if title == sc.action then
        pick = item
      end
    end
    on_choice(pick)
  end
  local t0 = vim.loop.hrtime()
  vim.lsp.buf.code_action()
  if not vim.wait(180000, function() return offered ~= nil end, 50) then
    return 'no code actions within 3 minutes'
  end
  result.offered = offered
  if not vim.tbl_contains(offered, sc.action) then
    return 'action ' .. sc.action .. ' not offered; offered: ' .. table.concat(offered, ' | ')
  end
  if not vim.wait(180000, function() return buffer_text(bufnr) ~= edited end, 50) then
    return 'the action changed nothing'
  end
  result.millis = (vim.loop.hrtime() - t0) / 1e6
  result.after = buffer_text(bufnr)
  if not result.after:find(sc.want, 1, true) then
    return 'the buffer lacks ' .. sc.want .. ':\n' .. result.after
  end

  vim.cmd('write')
  vim.lsp.stop_client(client_id)
  if not vim.wait(30000, function() return vim.lsp.client_is_stopped(client_id) end, 50) then
    return 'difgen lsp did not stop'
  end
  vim.cmd('bwipeout!')
  return nil
end

local ok, err = pcall(function()
  for _, sc in ipairs(cfg.scenarios) do
    local e = run(sc)
    if e then
      error(sc.name .. ': ' .. e, 0)
    end
  end
end)
if ok then
  finish(nil)
else
  finish(tostring(err))
end
