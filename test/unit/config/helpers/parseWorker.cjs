// Child process of the config fuzzer (forked with a 100 MB heap): parses one config text per
// message and reports the CPU time it took. Loaded through tsx, so it runs the TypeScript sources.
require('tsx/cjs');
const { parseConfigText } = require('../../../../src/core/config/parse');

process.on('message', ({ file, text, location }) => {
  // CPU time of this process, not wall time: the machine is shared, and the budget is about the
  // work a file costs, which other processes' load does not change.
  const cpu = process.cpuUsage();
  const started = performance.now();
  const r = parseConfigText(file, text, location, { home: '/h', env: {}, checkCommands: false });
  const used = process.cpuUsage(cpu);
  process.send({
    ms: (used.user + used.system) / 1000,
    wallMs: performance.now() - started,
    servers: r.servers.length,
    codes: [...new Set(r.findings.map((f) => f.code))],
    internal: r.findings.find((f) => f.code === 'MCP000')?.message,
    heapMB: process.memoryUsage().heapUsed / 1048576,
  });
});
