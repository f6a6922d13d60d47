package dev.sluice.function.classloader;

import static org.assertj.core.api.Assertions.assertThat;

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
}
