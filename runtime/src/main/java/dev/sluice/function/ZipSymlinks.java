package dev.sluice.function;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Symbolic links in a zip, which the JDK's zip file system reads and writes as plain files holding
 * the link's target: a link is an entry whose central directory header says it was made on Unix
 * ("version made by" host 3) with the file type {@code S_IFLNK} in the high half of its external
 * attributes, as {@code zip -y} and Lambda's own packaging write it. Only the central directory is
 * read; a zip64 one (over 65,535 entries or 4 GB) is not looked into, and its links stay files.
 */
final class ZipSymlinks {

  private static final int END_SIGNATURE = 0x06054b50;
  private static final int HEADER_SIGNATURE = 0x02014b50;
  private static final int END_SIZE = 22;
  private static final int HEADER_SIZE = 46;
  private static final int UNIX = 3;
  private static final int TYPE_MASK = 0170000;
  private static final int LINK = 0120000;

  private ZipSymlinks() {}

  /**
   * The names of the entries of {@code zip} that are symbolic links; none when its central
   * directory cannot be read (the zip file system then says what is wrong with it).
   */
  static Set<String> names(byte[] zip) {
    Set<String> links = new HashSet<>();
    try {
      visit(
          zip,
          (buf, at, name) -> {
            if (isLink(buf, at)) {
              links.add(name);
            }
          });
    } catch (IndexOutOfBoundsException e) {
      return Set.of(); // offsets or lengths past the end: not a central directory to trust
    }
    return links;
  }

  /** Marks the entries of {@code zip} named in {@code links} as symbolic links, in place. */
  static void mark(byte[] zip, Set<String> links) {
    visit(
        zip,
        (buf, at, name) -> {
          if (links.contains(name)) {
            buf.put(at + 5, (byte) UNIX); // high byte of "version made by"
            int attributes = buf.getInt(at + 38);
            int mode = (attributes >>> 16 & ~TYPE_MASK) | LINK | 0777;
            buf.putInt(at + 38, mode << 16 | (attributes & 0xffff));
          }
        });
  }

  private interface Header {
    void at(ByteBuffer buf, int offset, String name);
  }

  private static boolean isLink(ByteBuffer buf, int at) {
    int host = buf.get(at + 5) & 0xff;
    int mode = buf.getInt(at + 38) >>> 16;
    return host == UNIX && (mode & TYPE_MASK) == LINK;
  }

  private static void visit(byte[] zip, Header header) {
    ByteBuffer buf = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    int end = endRecord(buf);
    if (end < 0) {
      return; // not a zip the JDK would open either; it reports that
    }
    int count = buf.getShort(end + 10) & 0xffff;
    long start = buf.getInt(end + 16) & 0xffffffffL;
    if (count == 0xffff || start == 0xffffffffL) {
      return; // zip64
    }
    if (start > end) {
      return;
    }
    int at = (int) start;
    for (int i = 0; i < count && at + HEADER_SIZE <= end; i++) {
      if (buf.getInt(at) != HEADER_SIGNATURE) {
        return;
      }
      int nameLength = buf.getShort(at + 28) & 0xffff;
      int extra = buf.getShort(at + 30) & 0xffff;
      int comment = buf.getShort(at + 32) & 0xffff;
      String name = new String(zip, at + HEADER_SIZE, nameLength, StandardCharsets.UTF_8);
      header.at(buf, at, name);
      at += HEADER_SIZE + nameLength + extra + comment;
    }
  }

  /** Where the end of central directory record starts, or -1; it may be followed by a comment. */
  private static int endRecord(ByteBuffer buf) {
    int last = buf.capacity() - END_SIZE;
    for (int at = last; at >= 0 && at >= last - 0xffff; at--) {
      if (buf.getInt(at) == END_SIGNATURE) {
        return at;
      }
    }
    return -1;
  }
}
