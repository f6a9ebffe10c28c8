// Fixture "server" for the proxy tests: writes some noise and a non-UTF-8 / CRLF / long-line
// mix to stdout, then echoes every stdin byte back verbatim. On stdin EOF it exits with
// EXIT_CODE (default 3); with EXIT_AFTER_MS it exits on its own with code 5.
const noise = Buffer.concat([
  Buffer.from('not json at all\r\n'),
  Buffer.from([0xff, 0xfe, 0x00, 0x0a]),
  Buffer.from('{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"é"}}\n'),
  Buffer.from('x'.repeat(200_000) + '\n'),
  Buffer.from('partial line without newline then '),
]);
process.stdout.write(noise);
process.stderr.write('server log line 1\nserver log line 2\n');
process.stdin.on('data', (d) => process.stdout.write(d));
process.stdin.on('end', () => {
  // IGNORE_EOF: a server that does not exit when its client goes away.
  if (process.env.IGNORE_EOF) setInterval(() => {}, 1000);
  else process.stdout.write('', () => process.exit(Number(process.env.EXIT_CODE ?? 3)));
});
if (process.env.EXIT_AFTER_MS) setTimeout(() => process.exit(5), Number(process.env.EXIT_AFTER_MS));
