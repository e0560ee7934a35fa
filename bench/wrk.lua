-- wrk script of bench/run.sh: each request takes the next line of the file
-- named by WRK_LINES, round robin ("<body>\t<Header: value>\t..."), with
-- the method WRK_METHOD; at the end one RESULT line for the driver to read.

local method = os.getenv("WRK_METHOD") or "GET"
local lines = {}
local next_line = 0

function init(args)
  local file = os.getenv("WRK_LINES")
  for line in io.lines(file) do
    local fields = {}
    for field in (line .. "\t"):gmatch("(.-)\t") do
      table.insert(fields, field)
    end
    local headers = {}
    for i = 2, #fields do
      local name, value = fields[i]:match("^([^:]+):%s*(.*)$")
      if name then headers[name] = value end
    end
    local body = fields[1]
    if body == "" then body = nil end
    table.insert(lines, wrk.format(method, wrk.path, headers, body))
  end
end

function request()
  next_line = next_line % #lines + 1
  return lines[next_line]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d bad=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status + errors.connect + errors.read + errors.write + errors.timeout))
end
