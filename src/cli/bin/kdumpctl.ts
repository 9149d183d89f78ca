import { runCli } from '../run.js';
import { kdumpctlMain } from '../kdumpctl/program.js';

await runCli('kdumpctl', kdumpctlMain);
