-- Sluice's removal of JWTs (the Lua filter "sluice.jwt_token", right after jwt_authn).
--
-- Envoy's jwt_authn leaves a token from a cookie in the request, and takes one out of the query
-- string by decoding every other parameter and writing them back sorted by name: `b=2%20c` reaches
-- the upstream as `b=2 c`, which breaks its request line. So Sluice's providers forward tokens
-- (forward: true) and this filter removes them wherever the route's providers look for one, from a
-- valid token or not, leaving everything else as the client sent it.
--
-- Each route that requires a JWT carries metadata under this filter's name:
--   headers: {{name = <header>, prefix = <value prefix>}, ...}: a header holding the prefix goes
--     (an empty prefix: any value), so a Basic credential in the same header stays for basic_auth
--   query: {<parameter>, ...}
--   cookies: {<cookie>, ...}
-- A route without it is left alone. Tokens are never logged.

-- The cookie header `value` without the cookies named in `drop` (a set); nil when none is there.
local function without_cookies(value, drop)
  local kept, removed = {}, false
  for piece in (value .. ";"):gmatch("([^;]*);") do
    local cookie = piece:match("^%s*(.-)%s*$")
    if drop[cookie:match("^[^=]*")] then
      removed = true
    elseif cookie ~= "" then
      kept[#kept + 1] = cookie
    end
  end
  if not removed then
    return nil
  end
  return table.concat(kept, "; ")
end

local function remove_headers(headers, list)
  for _, h in ipairs(list) do
    for i = 0, headers:getNumValues(h.name) - 1 do
      local v = headers:getAtIndex(h.name, i)
      if h.prefix == "" or v:find(h.prefix, 1, true) then
        headers:remove(h.name)
        break
      end
    end
  end
end

local function remove_query(headers, names)
  local path = headers:get(":path") or ""
  local changed = false
  for _, name in ipairs(names) do
    local _, stripped = take_query_param(path, name)
    if stripped ~= nil then
      path, changed = stripped, true
    end
  end
  if changed then
    headers:replace(":path", path)
  end
end

local function remove_cookies(headers, names)
  local drop = {}
  for _, name in ipairs(names) do
    drop[name] = true
  end
  local values, changed = {}, false
  for i = 0, headers:getNumValues("cookie") - 1 do
    local v = headers:getAtIndex("cookie", i)
    local rest = without_cookies(v, drop)
    if rest ~= nil then
      changed = true
      v = rest
    end
    values[#values + 1] = v
  end
  if changed then
    headers:remove("cookie")
    for _, v in ipairs(values) do
      if v ~= "" then
        headers:add("cookie", v)
      end
    end
  end
end

function envoy_on_request(handle)
  local meta = handle:metadata()
  local headers = handle:headers()
  local list = meta:get("headers")
  if list ~= nil then
    remove_headers(headers, list)
  end
  list = meta:get("query")
  if list ~= nil then
    remove_query(headers, list)
  end
  list = meta:get("cookies")
  if list ~= nil then
    remove_cookies(headers, list)
  end
end
