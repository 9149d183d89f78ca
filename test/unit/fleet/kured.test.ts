/**
 * contrib/kured: the manifest parses as YAML (PyYAML, which ansible-core brings in: scripts/setup.sh)
 * and has what kured needs to run kexecctl on the host: the Kubernetes objects' required fields,
 * hostPID + privileged for nsenter into PID 1, and the reboot command and sentinel flags.
 * kubectl apply --dry-run=client cannot run here: it needs the API server's discovery.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Obj = Record<string, unknown>;
const FILE = 'contrib/kured/kured-kexecctl.yaml';

function loadAll(file: string): Obj[] {
  const json = execFileSync(
    'python3',
    ['-c', 'import json,sys,yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]))', file],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(json) as Obj[];
}

const at = (o: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), o);

describe('contrib/kured manifest', () => {
  const docs = loadAll(FILE);
  it('every object has apiVersion, kind and metadata.name', () => {
    expect(docs.map((d) => `${String(d['kind'])}/${String(at(d, 'metadata', 'name'))}`)).toEqual([
      'ServiceAccount/kured',
      'ClusterRole/kured',
      'ClusterRoleBinding/kured',
      'Role/kured',
      'RoleBinding/kured',
      'DaemonSet/kured',
    ]);
    for (const d of docs) expect(typeof d['apiVersion']).toBe('string');
  });
  it('the DaemonSet: selector matches the pod labels, hostPID, privileged, kexecctl as the reboot command, the Debian sentinel', () => {
    const ds = docs.find((d) => d['kind'] === 'DaemonSet') as Obj;
    expect(ds['apiVersion']).toBe('apps/v1');
    expect(at(ds, 'spec', 'selector', 'matchLabels')).toEqual(at(ds, 'spec', 'template', 'metadata', 'labels'));
    const pod = at(ds, 'spec', 'template', 'spec') as Obj;
    expect(pod['hostPID']).toBe(true);
    expect(pod['serviceAccountName']).toBe('kured');
    const c = at(pod, 'containers', 0) as Obj;
    expect(at(c, 'securityContext', 'privileged')).toBe(true);
    const args = c['args'] as string[];
    expect(args).toContain('--reboot-command=/usr/sbin/kexecctl reboot');
    expect(args).toContain('--reboot-sentinel=/var/run/reboot-required');
    expect(args).toContain('--ds-name=kured');
    // Every volumeMount names a declared volume.
    const vols = (pod['volumes'] as Obj[]).map((v) => v['name']);
    for (const m of c['volumeMounts'] as Obj[]) expect(vols).toContain(m['name']);
  });
  it('the lock Role may update the DaemonSet kured annotates', () => {
    const role = docs.find((d) => d['kind'] === 'Role') as Obj;
    expect(at(role, 'rules', 0, 'verbs')).toContain('update');
    expect(at(role, 'rules', 0, 'resourceNames')).toEqual([
      at(
        docs.find((d) => d['kind'] === 'DaemonSet'),
        'metadata',
        'name',
      ),
    ]);
  });
  it('the timer runs the service that keeps the sentinel; exit 1 (no reboot needed) is success', () => {
    expect(readFileSync('contrib/kured/kexecctl-needs-reboot.service', 'utf8')).toMatch(/^ExecStart=\/usr\/sbin\/kexecctl needs-reboot\nSuccessExitStatus=1$/m);
    expect(readFileSync('contrib/kured/kexecctl-needs-reboot.timer', 'utf8')).toMatch(/^OnUnitActiveSec=/m);
  });
});
