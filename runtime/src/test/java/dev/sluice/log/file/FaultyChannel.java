package dev.sluice.log.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/** A file channel that fails syncs or writes while a shared switch is on. */
final class FaultyChannel extends FileChannel {

  private final FileChannel delegate;
  private final AtomicBoolean failForce;
  private final AtomicBoolean failWrite;

  /** Runs before every force: a test's hook to hold syncs (a stalled disk). */
  private Runnable beforeForce = () -> {};

  FaultyChannel beforeForce(Runnable hook) {
    this.beforeForce = hook;
    return this;
  }

  /** Truncations fail while {@code fail} is on: a rollback that cannot undo a failed write. */
  private AtomicBoolean failTruncate = new AtomicBoolean();

  FaultyChannel failTruncate(AtomicBoolean fail) {
    this.failTruncate = fail;
    return this;
  }

  FaultyChannel(FileChannel delegate, AtomicBoolean failForce, AtomicBoolean failWrite) {
    this.delegate = delegate;
    this.failForce = failForce;
    this.failWrite = failWrite;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    beforeForce.run();
    if (failForce.get()) {
      throw new IOException("injected fsync failure");
    }
    delegate.force(metaData);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    if (failWrite.get()) {
      // Part of the data reaches the file before the failure, as with a full disk.
      ByteBuffer first = srcs[offset];
      ByteBuffer half = first.duplicate().limit(first.position() + first.remaining() / 2);
      delegate.write(half);
      throw new IOException("injected write failure");
    }
    return delegate.write(srcs, offset, length);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return (int) write(new ByteBuffer[] {src}, 0, 1);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return delegate.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return delegate.read(dsts, offset, length);
  }

  @Override
  public long position() throws IOException {
    return delegate.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    delegate.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return delegate.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    if (failTruncate.get()) {
      throw new IOException("injected truncate failure");
    }
    delegate.truncate(size);
    return this;
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return delegate.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    return delegate.transferFrom(src, position, count);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return delegate.read(dst, position);
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    return delegate.write(src, position);
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return delegate.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return delegate.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return delegate.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    delegate.close();
  }
}
