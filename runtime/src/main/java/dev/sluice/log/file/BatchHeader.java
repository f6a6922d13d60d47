package dev.sluice.log.file;

/**
 * The fixed fields of one batch in a segment file.
 *
 * @param position file position of the batch's length field
 * @param length bytes after the length field
 */
record BatchHeader(
    long position, int length, byte magic, long baseOffset, int count, long arrivalMillis) {

  /** Bytes the whole batch takes in the file. */
  long size() {
    return 4L + length;
  }

  long nextPosition() {
    return position + size();
  }

  long nextOffset() {
    return baseOffset + count;
  }

  /** True when the fixed fields can belong to a batch ending at or before {@code limit}. */
  boolean isPlausible(long limit) {
    return length >= BatchFormat.HEADER_SIZE - 4
        && nextPosition() <= limit
        && magic == BatchFormat.MAGIC
        && count > 0;
  }
}
