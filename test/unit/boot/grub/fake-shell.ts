/** Test helper: a Shell with variables and diagnostics only, for driving one command directly. */
import type { Shell } from '../../../../src/boot/grub/context.js';
import type { GrubFs } from '../../../../src/boot/grub/types.js';

export type FakeShell = Shell & { vars: Map<string, string>; diags: { severity: string; message: string }[] };

export function fakeShell(fs: GrubFs | null = null, vars: Record<string, string> = {}): FakeShell {
  const map = new Map(Object.entries(vars));
  const diags: { severity: string; message: string }[] = [];
  const none = (): never => {
    throw new Error('not available in the fake shell');
  };
  return {
    vars: map,
    diags,
    get fs(): GrubFs {
      return fs ?? none();
    },
    lookup: (n) => map.get(n),
    get: (n) => map.get(n),
    set: (n, v) => void map.set(n, v),
    unset: (n) => void map.delete(n),
    export: () => undefined,
    diag: (severity, message) => void diags.push({ severity, message }),
    unsure: (message) => void diags.push({ severity: 'warning', message }),
    report: none,
    run: none,
    source: none,
    file: 'grub.cfg',
    location: 'grub.cfg:1',
    status: 0,
    params: [],
    capture: null,
    addMenu: none,
    effects: { diagnostics: [], loadedEnv: {}, savedEnv: [], deviceNames: new Map(), uncertain: [] },
  };
}
