-- wrk script for bench/bench-serverless.sh: every request carries the bearer token
-- of the next user in $TOKENS (tokens.tsv, valid rows only), so each request looks
-- up a different session and profile. Non-200 answers are counted and reported.
local tokens = {}
local n, i, bad = 0, 0, 0

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
  i = math.random(n) - 1
end

function request()
  i = i % n + 1
  return wrk.format("GET", nil, { ["Authorization"] = tokens[i] })
end
