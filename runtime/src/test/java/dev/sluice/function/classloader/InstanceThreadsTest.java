package dev.sluice.function.classloader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InstanceThreadsTest {

  @Test
  void shared_commonPoolWorker_neverAnInstancesOwn() throws Exception {
    // on Java 17 such a worker joins the group of the thread whose parallel stream made it, yet
    // runs every function's tasks afterwards
    Thread worker =
        ForkJoinPool.commonPool().submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
    Thread started = new Thread(() -> {});

    assertThat(InstanceThreads.shared(worker)).isTrue();
    assertThat(InstanceThreads.shared(started)).isFalse();
    assertThat(InstanceThreads.shared(Thread.currentThread())).isFalse();
  }

  @Test
  @SuppressWarnings("removal")
  void group_lastThreadEnded_noLongerHeldByItsParent() throws Exception {
    // from Java 19 on, a parent holds its groups weakly and this cannot leak
    assumeTrue(Runtime.version().feature() < 19);
    InstanceThreads threads = new InstanceThreads("f");
    Thread t = new Thread(threads.group(), () -> {});
    t.start();
    t.join(10_000);

    ThreadGroup parent = threads.group().getParent();
    ThreadGroup[] groups = new ThreadGroup[parent.activeGroupCount() + 16];
    int n = parent.enumerate(groups, false);
    assertThat(Arrays.asList(groups).subList(0, n)).doesNotContain(threads.group());
  }
}
