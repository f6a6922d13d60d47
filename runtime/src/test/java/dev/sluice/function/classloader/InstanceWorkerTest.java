package dev.sluice.function.classloader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InstanceWorkerTest {

  @Test
  void post_backToBackThenAfterGapsLongerThanTheSpin_runsEveryTask() throws Exception {
    InstanceWorker worker = new InstanceWorker("test-worker");
    AtomicInteger ran = new AtomicInteger();
    try {
      for (int i = 0; i < 2_000; i++) {
        runAndWait(worker, ran); // back to back: the worker spins between them
      }
      for (int i = 0; i < 20; i++) {
        // gaps far longer than the spin: the worker stops spinning and parks, and must still wake
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(InstanceWorker.SPIN_NANOS) + 2);
        runAndWait(worker, ran);
      }
      for (int i = 0; i < 2_000; i++) {
        runAndWait(worker, ran); // and spins again once tasks follow closely
      }
    } finally {
      worker.close();
    }

    assertThat(ran).hasValue(4_020);
  }

  private static void runAndWait(InstanceWorker worker, AtomicInteger ran) throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    worker.post(
        () -> {
          ran.incrementAndGet();
          done.countDown();
        });
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
  }
}
