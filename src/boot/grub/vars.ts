/** Variable store of one GRUB environment context; overlays make entry runs copy-on-write. */
import { LimitError, MAX_VARS } from './limits.js';

export class Vars {
  private readonly own = new Map<string, string>();
  private readonly gone = new Set<string>();

  constructor(private readonly parent: Vars | null = null) {}

  get(name: string): string | undefined {
    const v = this.own.get(name);
    if (v !== undefined || this.parent === null || this.gone.has(name)) return v;
    return this.parent.get(name);
  }

  set(name: string, value: string): void {
    if (!this.own.has(name) && this.own.size >= MAX_VARS) throw new LimitError(`more than ${MAX_VARS} variables`);
    this.own.set(name, value);
    this.gone.delete(name);
  }

  delete(name: string): void {
    this.own.delete(name);
    if (this.parent !== null) this.gone.add(name);
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    const seen = new Set<string>();
    for (const [k, v] of this.own) {
      seen.add(k);
      yield [k, v];
    }
    if (this.parent === null) return;
    for (const [k, v] of this.parent) if (!seen.has(k) && !this.gone.has(k)) yield [k, v];
  }
}
