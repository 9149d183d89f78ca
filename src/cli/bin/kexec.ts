// kexec's entry. Its own small error boundary instead of runCli: kexec parses its options
// itself (getopt work-alike), so it never loads commander, which keeps startup short.
import { isKexecError } from '../../errors.js';

const argv = process.argv.slice(2);
try {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    // Fast path: scripts probe the version; skip loading the loader and its dependencies.
    process.stdout.write((await import('../kexec/usage.js')).versionText());
  } else {
    process.exitCode = await (await import('../kexec/main.js')).kexecMain(argv);
  }
} catch (e) {
  if (isKexecError(e)) {
    process.stderr.write(`kexec: ${e.message}\n`);
    process.exitCode = e.exitCode;
  } else {
    process.stderr.write(`kexec: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env['KEXECCTL_DEBUG'] === '1' && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exitCode = 70;
  }
}
