// The load generator of the HTTP benchmarks, in its own process so that it does not share an
// event loop (or a profile) with what it measures: autocannon with keep-alive connections, a
// fixed number of requests, and the client's own CPU so the report can say what the load cost.
// Usage: node bench/load.mjs '<json: {url, method, headers, body, connections, amount}>'
import autocannon from "autocannon";

const options = JSON.parse(process.argv[2]);
const cpuBefore = process.cpuUsage();
const started = performance.now();
const result = await autocannon({ ...options, timeout: 30 });
const wall = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    requests: result.requests.total,
    perSecond: (result.requests.total / wall) * 1000,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    latency: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    clientCpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
  }),
);
