-- wrk script for tests/bench/worklist.sh: GETs one work-list page (the URL
-- and the Cookie header come from the command line), counts answers other
-- than 200 and prints one machine-readable line with the percentiles,
-- p95 included (wrk --latency itself prints 50/75/90/99 only).
--   wrk -t2 -c4 -d15s --latency -H "Cookie: ..." \
--       -s tests/bench/worklist.lua URL

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	n200, nbad, bytes = 0, 0, 0
	firstbad = nil
end

function response(status, headers, body)
	if status == 200 then
		n200 = n200 + 1
		bytes = #(body or "")
	else
		nbad = nbad + 1
		if firstbad == nil then
			firstbad = status .. " " .. (headers["Location"] or
			    headers["location"] or "") .. " " ..
			    (body or ""):sub(1, 200)
		end
	end
end

function done(summary, latency, requests)
	local ok, bad, size, first = 0, 0, 0, nil
	for _, th in ipairs(threads) do
		ok = ok + th:get("n200")
		bad = bad + th:get("nbad")
		size = math.max(size, th:get("bytes"))
		first = first or th:get("firstbad")
	end
	local e = summary.errors
	local secs = summary.duration / 1e6
	io.write(string.format("BENCH_WL requests=%d seconds=%.3f rps=%.1f" ..
	    " p50_ms=%.2f p90_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f" ..
	    " mean_ms=%.2f n200=%d non200=%d err_connect=%d err_read=%d" ..
	    " err_write=%d err_timeout=%d page_bytes=%d\n",
	    summary.requests, secs, summary.requests / secs,
	    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
	    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
	    latency.max / 1000, latency.mean / 1000, ok, bad, e.connect,
	    e.read, e.write, e.timeout, size))
	if first ~= nil then
		io.write("BENCH_WL first non-200: " .. first:gsub("\n", " ") ..
		    "\n")
	end
end
