import { runCli } from '../run.js';
import { kexecctlMain } from '../kexecctl.js';

await runCli('kexecctl', kexecctlMain);
