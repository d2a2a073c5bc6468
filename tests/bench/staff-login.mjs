// Staff for tests/bench/worklist.sh, made the real way (recourse-admin
// create-user, the set-up page with a TOTP code, the login form): a reviewer
// of the general and vulnerable queues and a supervisor, both logged in, and
// six more reviewers, set up but not logged in, for the generated cases to
// be assigned to.  Prints one line per account:
//   ROLE ID LOGIN COOKIE     (COOKIE is "-" for the accounts not logged in)
//   node tests/bench/staff-login.mjs      (with the variables of tests/env.sh)
import { staffUser, createAccount, setUp } from '../lib/staff.mjs';

const password = 'bench correct horse battery';

const reviewer = await staffUser({ roles: ['reviewer'],
    queues: ['general', 'vulnerable'], name: 'Bench Reviewer', password });
const supervisor = await staffUser({ roles: ['supervisor'], queues: [],
    name: 'Bench Supervisor', password });
console.log(`reviewer ${reviewer.id} ${reviewer.login} ${reviewer.cookie}`);
console.log(`supervisor ${supervisor.id} ${supervisor.login} ` +
    `${supervisor.cookie}`);

const others = [
	['general'], ['general'], ['vulnerable'], ['security'], ['fairness'],
	['security', 'fairness'],
];
let i = 0;
for (const queues of others) {
	i++;
	const acc = await createAccount({ roles: ['reviewer'], queues,
	    name: `Bench Colleague ${i}` });
	const s = await setUp(acc.token, password);
	if (s.res.status !== 200)
		throw new Error(`set-up of ${acc.login} failed: ${s.res.status}`);
	console.log(`colleague ${acc.id} ${acc.login} -`);
}
