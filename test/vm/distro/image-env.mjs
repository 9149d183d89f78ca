// The image's facts (KERNEL_NEW, KERNEL_OLD, APPEND, GRUB_UUID …) that build-image.sh writes to
// DIR/image.env as KEY=VALUE lines (values optionally in single quotes), for the scenario drivers.
import { readFileSync } from 'node:fs';

/** DIR/image.env as an object of strings. */
export function readImageEnv(dir) {
  return Object.fromEntries(
    readFileSync(`${dir}/image.env`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const i = l.indexOf('=');
        return [l.slice(0, i), l.slice(i + 1).replace(/^'|'$/g, '')];
      }),
  );
}
