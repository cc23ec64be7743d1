-- Sluice's API-key check (the Lua filter "sluice.api_key").
--
-- Consumers are written with the SHA-256 of their keys only, so Envoy must hash the key a client
-- sends. Envoy's Lua has no digest function and its api_key_auth filter compares plain keys, which
-- would put every key in the config (and in config dumps): hence SHA-256 by hand below, on LuaJIT's
-- bit library, checked against known digests in the tests.
--
-- Each route that checks keys carries metadata under this filter's name:
--   header: the header holding the key ("" when it is a query parameter)
--   query: the query parameter holding the key ("" when it is a header)
--   consumers: {<sha256 hex> = <consumer name>}
-- A route without it is left alone. The key is never logged and never forwarded upstream: the
-- header is removed, and the query parameter is cut out of :path, so neither the upstream nor its
-- access log sees it.

-- SHA-256 (FIPS 180-4)
local bit = require("bit")
local band, bxor, bnot, rshift, ror, tobit, tohex = bit.band, bit.bxor, bit.bnot, bit.rshift, bit.ror, bit.tobit, bit.tohex
local K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2}
local function sha256(msg)
  local bits = #msg * 8
  msg = msg .. "\128" .. string.rep("\0", (55 - #msg) % 64)
  local len = ""
  for i = 7, 0, -1 do
    len = len .. string.char(math.floor(bits / 2 ^ (8 * i)) % 256)
  end
  msg = msg .. len
  local h0, h1, h2, h3 = 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a
  local h4, h5, h6, h7 = 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 0, 15 do
      local a, b, c, d = msg:byte(chunk + i * 4, chunk + i * 4 + 3)
      w[i] = tobit(a * 16777216 + b * 65536 + c * 256 + d)
    end
    for i = 16, 63 do
      local x, y = w[i - 15], w[i - 2]
      local s0 = bxor(ror(x, 7), ror(x, 18), rshift(x, 3))
      local s1 = bxor(ror(y, 17), ror(y, 19), rshift(y, 10))
      w[i] = tobit(w[i - 16] + s0 + w[i - 7] + s1)
    end
    local a, b, c, d, e, f, g, h = h0, h1, h2, h3, h4, h5, h6, h7
    for i = 0, 63 do
      local t1 = tobit(h + bxor(ror(e, 6), ror(e, 11), ror(e, 25)) + bxor(band(e, f), band(bnot(e), g)) + K[i + 1] + w[i])
      local t2 = tobit(bxor(ror(a, 2), ror(a, 13), ror(a, 22)) + bxor(band(a, b), band(a, c), band(b, c)))
      h, g, f, e, d, c, b, a = g, f, e, tobit(d + t1), c, b, a, tobit(t1 + t2)
    end
    h0, h1, h2, h3 = tobit(h0 + a), tobit(h1 + b), tobit(h2 + c), tobit(h3 + d)
    h4, h5, h6, h7 = tobit(h4 + e), tobit(h5 + f), tobit(h6 + g), tobit(h7 + h)
  end
  return tohex(h0) .. tohex(h1) .. tohex(h2) .. tohex(h3) .. tohex(h4) .. tohex(h5) .. tohex(h6) .. tohex(h7)
end

function envoy_on_request(handle)
  local meta = handle:metadata()
  local header = meta:get("header")
  local query = meta:get("query")
  if header == nil and query == nil then
    return
  end
  local headers = handle:headers()
  local key
  if header ~= nil and header ~= "" then
    key = headers:get(header)
    headers:remove(header)
  else
    local stripped
    key, stripped = take_query_param(headers:get(":path") or "", query)
    if stripped ~= nil then
      headers:replace(":path", stripped)
    end
  end
  local consumer
  if key ~= nil and key ~= "" then
    consumer = meta:get("consumers")[sha256(key)]
  end
  if consumer == nil then
    handle:respond({[":status"] = "401", ["www-authenticate"] = 'ApiKey realm="sluice"', ["content-type"] = "text/plain"},
      "missing or unknown API key\n")
    return
  end
  headers:replace("x-sluice-consumer", consumer)
end
