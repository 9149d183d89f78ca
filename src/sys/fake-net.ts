/**
 * NetControl for the recording fake: interfaces live in the fake's state file and every
 * change is logged in its calls as "ip-link", so CLI tests can see what kexec -e took down.
 * A failure can be scripted with failures["ip-link"].
 */
import type { NetControl } from '../host/net-ifaces.js';
import { orderForIfdown } from '../host/net-ifaces.js';
import type { FakeKernel } from './fake-kernel.js';

export class FakeNetControl implements NetControl {
  constructor(private readonly kernel: FakeKernel) {}

  async listUp(): Promise<string[]> {
    const ifs = this.kernel.st.interfaces ?? {};
    return orderForIfdown(Object.keys(ifs).filter((n) => ifs[n] === true));
  }

  async setUp(name: string, up: boolean): Promise<void> {
    const fail = this.kernel.st.failures['ip-link'];
    this.kernel.note('ip-link', { name, state: up ? 'up' : 'down', ...(fail === undefined ? {} : { failed: fail }) });
    if (fail !== undefined) throw new Error(`ip link set dev ${name} ${up ? 'up' : 'down'}: ${fail}`);
    this.kernel.st.interfaces = { ...(this.kernel.st.interfaces ?? {}), [name]: up };
    this.kernel.persist();
  }
}
