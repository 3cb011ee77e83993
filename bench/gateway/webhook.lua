-- bench/gateway/webhook.lua -- wrk script for `bench/run gateway` (cs-bench gateway
-- runs it; docs/performance.md "Webhook gateway").
--
-- Each request is a generic order.created webhook (docs/webhooks-generic.md) with its
-- own event id and order id, signed as a shop signs it (docs/webhooks.md):
--   X-CS-Shop, X-CS-Timestamp, X-CS-Signature: sha256=<hex HMAC-SHA256(secret, ts "." body)>
--
-- The body is a fixed prefix (the example order of tests/data/webhooks/generic, its
-- order id and event id removed, written by cs-bench into GW_PREFIX_FILE) followed by a
-- tail that varies: <order id>"},"event_id":"<event id>"}. wrk's LuaJIT has no HMAC,
-- so SHA-256 is here, with the bit library; per thread the timestamp is fixed at the
-- start (a wrk run lasts far less than the 300 s window), so the SHA-256 state after
-- the inner key block and every whole 64-byte block of ts "." prefix is computed once,
-- and a request hashes only its last two or three blocks plus one outer block.
-- GW_SELFTEST=1 checks the midstate path against a plain HMAC and prints one
-- signature for a comparison with openssl (cs-bench does it before the run).
--
-- Pacing (GW_RATE > 0, requests/s over all threads): each thread keeps a schedule of
-- send slots at its share of the rate. A connection that is free asks delay() for the
-- next slot and waits for it (wrk's timers have 1 ms resolution). Latency is measured
-- from the slot, not from the actual send: a request that waited for a free connection
-- because earlier answers were slow counts that wait (no coordinated omission, as in
-- wrk2), so enough connections must be open for the slots to be taken on time. With
-- GW_RATE = 0 there is no delay() and every connection sends as fast as answers come;
-- latency is then from the send.
--
-- Every answer is written by its thread to GW_OUT/t<k>.txt as
--   <status> <event id or -> <latency us or -1> <answer time, monotonic ms>
-- (the event id is read back from the answer's body), for cs-bench to count 202s, find
-- them in Kafka and compute percentiles. done() prints one WRKDONE line with wrk's own
-- counters and socket errors.
--
-- Environment: GW_SECRET, GW_SHOP, GW_PREFIX_FILE, GW_RUN (event id prefix), GW_RATE,
-- GW_THREADS (wrk -t), GW_OUT, GW_SELFTEST.
local ffi = require "ffi"
local bit = require "bit"
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local rshift, lshift, ror, tobit, tohex = bit.rshift, bit.lshift, bit.ror, bit.tobit, bit.tohex
local sbyte, schar, srep = string.byte, string.char, string.rep

ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } gw_timespec;
int clock_gettime(int clk, gw_timespec *ts);
]]
local tsbuf = ffi.new("gw_timespec")
local function now_us()
  ffi.C.clock_gettime(1, tsbuf) -- CLOCK_MONOTONIC
  return tonumber(tsbuf.tv_sec) * 1000000 + math.floor(tonumber(tsbuf.tv_nsec) / 1000)
end

-- ---- SHA-256 -------------------------------------------------------------------------

local K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}
for i = 1, 64 do K[i] = tobit(K[i]) end
local H0 = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }
for i = 1, 8 do H0[i] = tobit(H0[i]) end

local W = {}

-- One compression of the block in W[0..15] into state H (a table of 8 words).
local function compressW(H)
  for i = 16, 63 do
    local w15, w2 = W[i - 15], W[i - 2]
    local s0 = bxor(ror(w15, 7), ror(w15, 18), rshift(w15, 3))
    local s1 = bxor(ror(w2, 17), ror(w2, 19), rshift(w2, 10))
    W[i] = tobit(W[i - 16] + s0 + W[i - 7] + s1)
  end
  local a, b, c, d, e, f, g, h = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
  for i = 0, 63 do
    local S1 = bxor(ror(e, 6), ror(e, 11), ror(e, 25))
    local ch = bxor(band(e, f), band(bnot(e), g))
    local t1 = h + S1 + ch + K[i + 1] + W[i]
    local S0 = bxor(ror(a, 2), ror(a, 13), ror(a, 22))
    local maj = bxor(band(a, b), band(a, c), band(b, c))
    h, g, f, e, d, c, b, a = g, f, e, tobit(d + t1), c, b, a, tobit(t1 + S0 + maj)
  end
  H[1], H[2], H[3], H[4] = tobit(H[1] + a), tobit(H[2] + b), tobit(H[3] + c), tobit(H[4] + d)
  H[5], H[6], H[7], H[8] = tobit(H[5] + e), tobit(H[6] + f), tobit(H[7] + g), tobit(H[8] + h)
end

-- Compresses the 64-byte block of s starting at byte off + 1.
local function compress(H, s, off)
  for i = 0, 15 do
    local p = off + i * 4 + 1
    local a, b, c, d = sbyte(s, p, p + 3)
    W[i] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
  end
  compressW(H)
end

local function copy8(H) return { H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8] } end

-- The rest of a message: tail (< 64 bytes left of whole blocks before it plus what
-- follows) after `done` bytes already compressed into H; pads and finishes H in place.
local function finish(H, tail, done)
  local total = done + #tail
  local zeros = (55 - total) % 64
  local hi = math.floor(total * 8 / 4294967296)
  local lo = (total * 8) % 4294967296
  local s = tail .. "\128" .. srep("\0", zeros)
    .. schar(band(rshift(hi, 24), 255), band(rshift(hi, 16), 255), band(rshift(hi, 8), 255), band(hi, 255))
    .. schar(math.floor(lo / 16777216) % 256, math.floor(lo / 65536) % 256, math.floor(lo / 256) % 256, lo % 256)
  for off = 0, #s - 1, 64 do compress(H, s, off) end
end

local function hexOf(H)
  return tohex(H[1], 8) .. tohex(H[2], 8) .. tohex(H[3], 8) .. tohex(H[4], 8)
    .. tohex(H[5], 8) .. tohex(H[6], 8) .. tohex(H[7], 8) .. tohex(H[8], 8)
end

-- HMAC keyed state: H after the inner (ipad) and outer (opad) key blocks.
local function hmacKey(key)
  if #key > 64 then
    local H = copy8(H0)
    finish(H, key, 0)
    local d = {}
    for i = 1, 8 do
      local w = H[i]
      d[#d + 1] = schar(band(rshift(w, 24), 255), band(rshift(w, 16), 255), band(rshift(w, 8), 255), band(w, 255))
    end
    key = table.concat(d)
  end
  key = key .. srep("\0", 64 - #key)
  local ipad, opad = {}, {}
  for i = 1, 64 do
    local k = sbyte(key, i)
    ipad[i] = schar(bxor(k, 0x36))
    opad[i] = schar(bxor(k, 0x5c))
  end
  local Hi, Ho = copy8(H0), copy8(H0)
  compress(Hi, table.concat(ipad), 0)
  compress(Ho, table.concat(opad), 0)
  return Hi, Ho
end

-- HMAC from the outer key state and a finished inner state: one block.
local function outer(Ho, Hin)
  local H = copy8(Ho)
  for i = 1, 8 do W[i - 1] = Hin[i] end
  W[8] = tobit(0x80000000)
  for i = 9, 14 do W[i] = 0 end
  W[15] = (64 + 32) * 8
  compressW(H)
  return hexOf(H)
end

local function hmacHex(key, msg)
  local Hi, Ho = hmacKey(key)
  local whole = #msg - #msg % 64
  for off = 0, whole - 1, 64 do compress(Hi, msg, off) end
  finish(Hi, msg:sub(whole + 1), 64 + whole)
  return outer(Ho, Hi)
end

-- ---- the requests --------------------------------------------------------------------

local secret = os.getenv("GW_SECRET") or ""
local shop = os.getenv("GW_SHOP") or "tb-demo"
local run = os.getenv("GW_RUN") or "x"
local rate = tonumber(os.getenv("GW_RATE") or "0") or 0
local nthreads = tonumber(os.getenv("GW_THREADS") or "1") or 1
local outdir = os.getenv("GW_OUT") or "."
local prefix
do
  local path = os.getenv("GW_PREFIX_FILE")
  local f = path and io.open(path, "rb")
  if not f then
    io.stderr:write("webhook.lua: GW_PREFIX_FILE missing or unreadable\n")
    os.exit(2)
  end
  prefix = f:read("*a")
  f:close()
end

if os.getenv("GW_SELFTEST") == "1" then
  -- the midstate path against a plain HMAC, for lengths around every block edge
  local Hi, Ho = hmacKey(secret)
  for extra = 0, 130 do
    local msg = "1794276000." .. prefix .. srep("x", extra) .. '"},"event_id":"e"}'
    local cut = 64 * math.floor((#msg - 40) / 64)
    local H = copy8(Hi)
    for off = 0, cut - 1, 64 do compress(H, msg, off) end
    finish(H, msg:sub(cut + 1), 64 + cut)
    if outer(Ho, H) ~= hmacHex(secret, msg) then
      io.stderr:write("webhook.lua: midstate HMAC differs at extra=" .. extra .. "\n")
      os.exit(1)
    end
  end
  -- for openssl: HMAC(secret, "abc" .. prefix)
  io.stdout:write("SELFTEST ", hmacHex(secret, "abc" .. prefix), "\n")
  os.exit(0)
end

local tid = 0    -- this thread's number (set by setup())
local ts         -- X-CS-Timestamp of this thread's run
local Hi, Ho     -- HMAC key states
local Hmid       -- inner state after the whole blocks of ts "." prefix
local rest       -- the bytes of ts "." prefix after those blocks
local hashed     -- bytes compressed into Hmid (key block included)
local head       -- the request line and the fixed headers
local out        -- this thread's answer file
local n = 0      -- requests made
local sent = {}  -- event id -> its send time (or slot), until its answer
local interval, t0, k = 0, 0, 0 -- pacing: us between slots, the first slot, slots given
local slots, sh, st = {}, 1, 1  -- slots given to connections and not yet used (a FIFO)

local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  tid = _G.tid or 0
  ts = tostring(os.time())
  Hi, Ho = hmacKey(secret)
  local signed = ts .. "." .. prefix
  local whole = #signed - #signed % 64
  Hmid = copy8(Hi)
  for off = 0, whole - 1, 64 do compress(Hmid, signed, off) end
  rest = signed:sub(whole + 1)
  hashed = 64 + whole
  head = "POST " .. wrk.path .. " HTTP/1.1\r\nHost: " .. wrk.host .. ":" .. (wrk.port or "80")
    .. "\r\nContent-Type: application/json\r\nX-CS-Shop: " .. shop .. "\r\nX-CS-Timestamp: " .. ts
    .. "\r\nX-CS-Signature: sha256="
  out = io.open(outdir .. "/t" .. tid .. ".txt", "w")
  out:setvbuf("full", 1048576)
  if rate > 0 then
    interval = 1e6 * nthreads / rate
    t0 = now_us()
  end
end

if rate > 0 then
  function delay()
    local slot = t0 + k * interval
    k = k + 1
    slots[st] = slot
    st = st + 1
    local d = slot - now_us()
    if d <= 0 then return 0 end
    return math.ceil(d / 1000)
  end
end

function request()
  n = n + 1
  local oid = run .. "-" .. tid .. "-" .. n
  local tail = oid .. '"},"event_id":"gw-' .. oid .. '"}'
  local H = copy8(Hmid)
  finish(H, rest .. tail, hashed)
  local sig = outer(Ho, H)
  local body = prefix .. tail
  local t
  if sh < st then -- the earliest slot not yet used (never later than this one's)
    t = slots[sh]
    slots[sh] = nil
    sh = sh + 1
  else
    t = now_us()
  end
  sent["gw-" .. oid] = t
  return head .. sig .. "\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body
end

function response(status, headers, body)
  local now = now_us()
  local id = body:match('"event_id":"([^"]+)"')
  local t = id and sent[id]
  if t then
    sent[id] = nil
    out:write(status, " ", id, " ", math.floor(now - t), " ", math.floor(now / 1000), "\n")
  else
    out:write(status, " ", id or "-", " -1 ", math.floor(now / 1000), "\n")
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.stdout:write(string.format(
    "WRKDONE requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d status=%d"
      .. " p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
