package dev.sluice.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests set by hand; listeners hear every change, e.g. timers that fire on it. */
public final class TestClock extends Clock {

  private final AtomicLong millis;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  public TestClock(long millis) {
    this.millis = new AtomicLong(millis);
  }

  public void set(long value) {
    millis.set(value);
    changed();
  }

  public void advance(long delta) {
    millis.addAndGet(delta);
    changed();
  }

  /** Runs {@code listener} on the caller's thread after every {@link #set} and {@link #advance}. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  private void changed() {
    listeners.forEach(Runnable::run);
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
