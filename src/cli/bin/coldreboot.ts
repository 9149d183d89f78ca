import { runCli } from '../run.js';
import { coldrebootMain } from '../commands/coldreboot.js';
import { VERSION } from '../../version.js';

// Debian's coldreboot passes every argument on to reboot; we only take a leading --dry-run, --help, --version.
await runCli('coldreboot', async (argv) => {
  if (argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(
      'Usage: coldreboot [--dry-run] [REBOOT-ARGS...]\nReboot through the firmware: unload any kexec kernel, create /no-kexec-reboot, then run reboot with REBOOT-ARGS.\n',
    );
    return 0;
  }
  if (argv[0] === '--version') {
    process.stdout.write(`coldreboot (kexecctl) ${VERSION}\n`);
    return 0;
  }
  const dryRun = argv[0] === '--dry-run';
  return coldrebootMain(dryRun ? argv.slice(1) : argv, dryRun);
});
