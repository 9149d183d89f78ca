import { runCli } from '../run.js';
import { kexecMain } from '../kexec/main.js';

await runCli('kexec', (argv) => kexecMain(argv));
