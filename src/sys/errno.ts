/**
 * Linux errno numbers, names and glibc strerror() texts. kexec-tools prints strerror(),
 * and scripts grep for those texts, so we keep glibc's wording rather than libuv's.
 */
const TABLE: ReadonlyArray<readonly [number, string, string]> = [
  [1, 'EPERM', 'Operation not permitted'],
  [2, 'ENOENT', 'No such file or directory'],
  [4, 'EINTR', 'Interrupted system call'],
  [5, 'EIO', 'Input/output error'],
  [7, 'E2BIG', 'Argument list too long'],
  [8, 'ENOEXEC', 'Exec format error'],
  [9, 'EBADF', 'Bad file descriptor'],
  [11, 'EAGAIN', 'Resource temporarily unavailable'],
  [12, 'ENOMEM', 'Cannot allocate memory'],
  [13, 'EACCES', 'Permission denied'],
  [14, 'EFAULT', 'Bad address'],
  [16, 'EBUSY', 'Device or resource busy'],
  [17, 'EEXIST', 'File exists'],
  [19, 'ENODEV', 'No such device'],
  [21, 'EISDIR', 'Is a directory'],
  [22, 'EINVAL', 'Invalid argument'],
  [24, 'EMFILE', 'Too many open files'],
  [27, 'EFBIG', 'File too large'],
  [28, 'ENOSPC', 'No space left on device'],
  [30, 'EROFS', 'Read-only file system'],
  [38, 'ENOSYS', 'Function not implemented'],
  [61, 'ENODATA', 'No data available'],
  [74, 'EBADMSG', 'Bad message'],
  [95, 'EOPNOTSUPP', 'Operation not supported'],
  [99, 'EADDRNOTAVAIL', 'Cannot assign requested address'],
  [110, 'ETIMEDOUT', 'Connection timed out'],
  [126, 'ENOKEY', 'Required key not available'],
  [127, 'EKEYEXPIRED', 'Key has expired'],
  [128, 'EKEYREVOKED', 'Key has been revoked'],
  [129, 'EKEYREJECTED', 'Key was rejected by service'],
];

const BY_NUMBER = new Map(TABLE.map(([n, name, msg]) => [n, { name, msg }]));
const BY_NAME = new Map(TABLE.map(([n, name, msg]) => [name, { n, msg }]));

/** ENOTSUP is EOPNOTSUPP on Linux. */
export const ENOTSUP = 95;

export function errnoName(errno: number): string {
  return BY_NUMBER.get(errno)?.name ?? `E${errno}`;
}

export function strerror(errno: number): string {
  return BY_NUMBER.get(errno)?.msg ?? `Unknown error ${errno}`;
}

export function errnoNumber(name: string): number | undefined {
  if (name === 'ENOTSUP') return ENOTSUP;
  return BY_NAME.get(name)?.n;
}
