import { runCli } from '../run.js';
import { VERSION } from '../../version.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  // Fast path: scripts probe the version often; skip loading every subcommand.
  process.stdout.write(`${VERSION}\n`);
} else if (argv[0] === 'plan' && (await (await import('../plan-fast.js')).planFromCache(argv.slice(1)))) {
  // Issue 14: answered from /run/kexecctl/plan-cache.json, whose inputs all still hold.
} else {
  await runCli('kexecctl', async (args) => (await import('../kexecctl.js')).kexecctlMain(args), argv);
}
