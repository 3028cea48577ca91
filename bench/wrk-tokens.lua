-- wrk script: GET /profile with a different valid bearer token per request,
-- rotating over the "valid" rows of an `archbench seed` tokens.tsv.
-- Usage: wrk ... -s bench/wrk-tokens.lua URL -- TOKENS.tsv
local tokens = {}
local i = 0

function init(args)
  local path = args[1] or "var/tokens.tsv"
  for line in io.lines(path) do
    local uid, tok, status = line:match("^(%d+)\t([%w_-]+)\t(%a+)$")
    if uid and status == "valid" then
      tokens[#tokens + 1] = "Bearer " .. tok
    end
  end
  if #tokens == 0 then
    error("no valid tokens in " .. path)
  end
  -- threads start at different offsets so they do not ask for the same users
  i = math.random(#tokens)
end

function request()
  i = i % #tokens + 1
  return wrk.format("GET", "/profile", { Authorization = tokens[i] })
end
