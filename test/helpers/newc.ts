/**
 * Test input: a cpio "newc" archive (the format `cpio -o -H newc` writes and init/initramfs.c
 * reads: 110-byte ASCII header, name padded so header + name is a multiple of 4, data padded to 4,
 * a "TRAILER!!!" entry last). Used to give the kexec fixtures initrds the deep check accepts.
 */
function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function entry(name: string, data: Uint8Array, mode: number, ino: number): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'latin1');
  const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameBytes.length, 0];
  const header = Buffer.from(`070701${fields.map(hex8).join('')}`, 'latin1');
  const namePad = (4 - ((header.length + nameBytes.length) % 4)) % 4;
  const dataPad = (4 - (data.length % 4)) % 4;
  return Buffer.concat([header, nameBytes, Buffer.alloc(namePad), Buffer.from(data), Buffer.alloc(dataPad)]);
}

export function newcArchive(files: ReadonlyArray<{ name: string; data: Uint8Array | string }>): Buffer {
  const parts = files.map((f, i) => entry(f.name, typeof f.data === 'string' ? Buffer.from(f.data) : f.data, 0o100644, i + 1));
  parts.push(entry('TRAILER!!!', new Uint8Array(0), 0, 0));
  return Buffer.concat(parts);
}
