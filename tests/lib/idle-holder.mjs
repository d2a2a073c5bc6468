// Holds many idle TCP connections to a server for tests/http/connections.test.mjs, in a child process whose descriptor limit the test raised (a node process cannot raise its own).
//   node idle-holder.mjs PORT COUNT
// Prints "held COUNT" once every connection is open (or "failed N: why"),
// sends nothing on them, and closes them all when its stdin closes.
import net from 'node:net';

const [port, count] = process.argv.slice(2).map(Number);
const sockets = [];
let open = 0;
let failed = 0;
let why = '';

function settled() {
	if (open + failed !== count)
		return;
	console.log(failed ? `failed ${failed}: ${why}` : `held ${open}`);
}

for (let i = 0; i < count; i++) {
	const s = net.connect({ port, host: '127.0.0.1' });
	s.once('connect', () => {
		open++;
		settled();
	});
	s.on('error', (e) => {
		if (!s.connecting)
			return;		/* closed later by the server: not ours */
		failed++;
		why = e.code ?? e.message;
		settled();
	});
	sockets.push(s);
}
process.stdin.on('end', () => {
	for (const s of sockets)
		s.destroy();
	process.exit(0);
});
process.stdin.resume();
