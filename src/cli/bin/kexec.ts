// kexec's entry, through the same error boundary as every other command (runCli). kexec parses its
// options itself (a getopt work-alike) and never loads commander, which keeps startup short;
// kexecMain reports kexec-tools' own messages and exit codes, runCli anything that escapes it.
import { runCli } from '../run.js';

await runCli('kexec', async (argv) => {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    // Fast path: scripts probe the version; skip loading the loader and its dependencies.
    process.stdout.write((await import('../kexec/usage.js')).versionText());
    return 0;
  }
  return (await import('../kexec/main.js')).kexecMain(argv);
});
