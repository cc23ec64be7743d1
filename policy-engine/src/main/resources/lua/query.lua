-- Query-string editing shared by Sluice's Lua filters; Java puts it before each script that uses it.

local function unescape(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

-- Reads the parameter `name` from the query string of `path` and removes it. Upstreams decode
-- parameter names, so a pair counts as `name` when its decoded name is `name`; every such pair
-- goes (a repeat would reach the upstream and its logs as well), every other pair stays byte for
-- byte and in order, and the `?` goes when nothing is left. Returns the first pair's decoded value
-- (nil without one) and the path without the parameter (nil when it is unchanged). Envoy rejects
-- paths with a fragment, so `path` has none.
local function take_query_param(path, name)
  local q = path:find("?", 1, true)
  if q == nil then
    return nil, nil
  end
  local kept, value, found = {}, nil, false
  for pair in (path:sub(q + 1) .. "&"):gmatch("([^&]*)&") do
    local eq = pair:find("=", 1, true)
    if unescape(eq and pair:sub(1, eq - 1) or pair) == name then
      if not found then
        value = eq and unescape(pair:sub(eq + 1)) or ""
        found = true
      end
    else
      kept[#kept + 1] = pair
    end
  end
  if not found then
    return nil, nil
  end
  local rest = table.concat(kept, "&")
  return value, rest == "" and path:sub(1, q - 1) or path:sub(1, q) .. rest
end
