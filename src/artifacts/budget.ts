/**
 * Resource limits for reading one artifact, so a hostile archive (a zip bomb, millions of entries,
 * archives nested without end) ends with the safe verdict instead of a hang or an exhausted machine.
 */

const MIB = 1024 * 1024;

/** The limits applied to one artifact, nested archives included. */
export const ARCHIVE_LIMITS = {
  /** Entries listed across the archive and every archive inside it. */
  maxEntries: 200_000,
  /** Sum of the uncompressed sizes the archives declare (a 300 MB fix pack declares about 1 GB). */
  maxDeclaredBytes: 8 * 1024 * MIB,
  /** Bytes actually inflated into memory (nested archives, manifests, documentation). */
  maxReadBytes: 1024 * MIB,
  /** Archives inside archives: patch → lpkg → jar → jar is 3. */
  maxDepth: 6,
  /** Largest uncompressed/compressed ratio of an entry that is read (real jars compress about 10:1). */
  maxRatio: 1000,
  /** Time spent reading one artifact. */
  maxMillis: 60_000,
  /** Largest nested archive read into memory. */
  maxNestedBytes: 64 * MIB,
} as const;

/** An artifact went past one of the limits: it is not inspected further. */
export class LimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LimitError';
  }
}

/** What one artifact's inspection has used so far, checked against ARCHIVE_LIMITS. */
export class Budget {
  private entries = 0;
  private declared = 0;
  private read = 0;
  private readonly deadline: number;

  constructor(
    private readonly now: () => number = Date.now,
    limits: { maxMillis: number } = ARCHIVE_LIMITS,
  ) {
    this.deadline = now() + limits.maxMillis;
  }

  /** Counts one listed entry; throws LimitError past the entry count, declared size or time limit. */
  entry(size: number): void {
    this.entries += 1;
    this.declared += size;
    if (this.entries > ARCHIVE_LIMITS.maxEntries)
      throw new LimitError(`more than ${ARCHIVE_LIMITS.maxEntries} entries`);
    if (this.declared > ARCHIVE_LIMITS.maxDeclaredBytes)
      throw new LimitError(`more than ${ARCHIVE_LIMITS.maxDeclaredBytes / 1024 / MIB} GiB uncompressed`);
    if (this.now() > this.deadline)
      throw new LimitError(`reading it took more than ${ARCHIVE_LIMITS.maxMillis / 1000} s`);
  }

  /** Checks an entry before it is read into memory (size, compression ratio, bytes read so far). */
  beforeRead(name: string, size: number, compressedSize: number): void {
    if (size > 1 * MIB && size > compressedSize * ARCHIVE_LIMITS.maxRatio) {
      throw new LimitError(`${name} expands ${Math.round(size / Math.max(compressedSize, 1))} times (a zip bomb?)`);
    }
    this.read += size;
    if (this.read > ARCHIVE_LIMITS.maxReadBytes)
      throw new LimitError(`more than ${ARCHIVE_LIMITS.maxReadBytes / MIB} MiB would be read to inspect it`);
  }
}
