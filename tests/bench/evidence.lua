-- wrk script for tests/bench/evidence.sh: POSTs JSON complaints, each with one picture (base64) and its own Idempotency-Key, and reports 201 counts and latency percentiles.
--   wrk -t2 -c16 -d15s --latency -s tests/bench/evidence.lua URL -- PICTURE.b64 RUNLABEL

local body, label, counter = nil, "ev", 0
-- Globals, not locals: done() reads them from each thread.
tid, bodylen = 0, 0
n201, nbad, firstbad = 0, 0, nil

local threads = {}

function setup(thread)
	thread:set("tid", #threads + 1)
	table.insert(threads, thread)
end

function init(args)
	local f = assert(io.open(args[1], "rb"))
	local b64 = f:read("*a"):gsub("%s", "")
	f:close()
	label = args[2] or "ev"
	math.randomseed(os.time() * 1000 + tid * 7919)
	body = '{"category":"privacy.consent","channel":"social_ad",' ..
	    '"description":"The advert in the attached screenshot named the ' ..
	    'clinic I had visited the day before; I never agreed to that.",' ..
	    '"evidence":[{"name":"screenshot.jpg","content_base64":"' ..
	    b64 .. '"}]}'
	bodylen = #body
end

function request()
	counter = counter + 1
	return wrk.format("POST", "/api/v1/complaints", {
		["Content-Type"] = "application/json",
		["Idempotency-Key"] = string.format("%s-%d-%d-%08x", label, tid,
		    counter, math.random(0, 0x7fffffff)),
	}, body)
end

function response(status, headers, b)
	if status == 201 then
		n201 = n201 + 1
	else
		nbad = nbad + 1
		if firstbad == nil then
			firstbad = status .. " " .. (b or ""):sub(1, 200)
		end
	end
end

function done(summary, latency, requests)
	local ok, bad, first = 0, 0, nil
	for _, th in ipairs(threads) do
		ok = ok + th:get("n201")
		bad = bad + th:get("nbad")
		first = first or th:get("firstbad")
	end
	local secs = summary.duration / 1e6
	io.write(string.format("BENCH_EVIDENCE_HTTP requests=%d seconds=%.3f " ..
	    "rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f n201=%d non201=%d " ..
	    "body_bytes=%d\n", summary.requests, secs, summary.requests / secs,
	    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
	    latency.max / 1000, ok, bad, threads[1]:get("bodylen")))
	if first ~= nil then
		io.write("BENCH_EVIDENCE_HTTP first non-201: " ..
		    first:gsub("\n", " ") .. "\n")
	end
end
