-- wrk script: every request carries the bearer token of the next user in
-- tokens.tsv (valid rows only), so the server looks up a different session and
-- profile each time instead of one hot row. Set TOKENS=path (default var/tokens.tsv).
local tokens = {}
local n, i = 0, 0

function init(args)
  local path = os.getenv("TOKENS") or "var/tokens.tsv"
  local f = assert(io.open(path, "r"), "cannot open " .. path)
  for line in f:lines() do
    local token, status = line:match("^%d+\t([%w_-]+)\t(%a+)$")
    if token and status == "valid" then
      n = n + 1
      tokens[n] = "Bearer " .. token
    end
  end
  f:close()
  assert(n > 0, "no valid tokens in " .. path)
  -- threads start at different offsets so they do not ask for the same rows
  i = math.random(n) - 1
end

function request()
  i = i % n + 1
  return wrk.format("GET", nil, { ["Authorization"] = tokens[i] })
end
