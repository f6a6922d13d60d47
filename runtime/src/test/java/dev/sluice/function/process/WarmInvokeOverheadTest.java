package dev.sluice.function.process;

import static dev.sluice.function.process.Fixtures.invocation;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.function.InvocationReport;
import dev.sluice.function.InvocationResult;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prints the round trip of a warm no-op invocation over loopback; asserts no timing. */
class WarmInvokeOverheadTest {

  @Test
  void invoke_warmNoOp_printsLatencyPercentiles(@TempDir Path work) {
    Vertx vertx = Vertx.vertx();
    try (ProcessRunnerFactory factory = new ProcessRunnerFactory(vertx, work, Fixtures.REGION)) {
      ProcessRunner runner = factory.create(Fixtures.actions("noop", 10), Fixtures.handlers());
      int warmup = 1000;
      int n = 1000;
      long[] micros = new long[n];
      long[] handler = new long[n];
      for (int i = 0; i < warmup + n; i++) {
        long t0 = System.nanoTime();
        InvocationReport r =
            runner
                .invoke(invocation("noop", Map.of(), 10_000))
                .orTimeout(30, TimeUnit.SECONDS)
                .join();
        long t = System.nanoTime() - t0;
        assertThat(r.result()).isInstanceOf(InvocationResult.Success.class);
        if (i >= warmup) {
          micros[i - warmup] = t / 1000;
          handler[i - warmup] = r.durationNanos() / 1000;
        }
      }
      Arrays.sort(micros);
      Arrays.sort(handler);
      System.out.printf(
          "warm no-op invoke over loopback (n=%d, after %d warm-up): round trip"
              + " p50 %d us, p90 %d us, p99 %d us; delivery-to-response p50 %d us%n",
          n, warmup, micros[n / 2], micros[n * 9 / 10], micros[n * 99 / 100], handler[n / 2]);
      assertThat(runner.liveInstances()).isEqualTo(1);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }
}
