import { runCli } from '../run.js';
import { kdumpConfigMain } from '../kdump-config/program.js';

await runCli('kdump-config', kdumpConfigMain);
