package dev.sluice.function;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failures worded and framed as Lambda's Java runtime reports them. */
class InvocationResultTest {

  private static StackTraceElement frame(String loader, String className, String method) {
    return new StackTraceElement(loader, null, null, className, method, "F.java", 7);
  }

  @Test
  void of_throwableCalledThroughTheBridge_framesEndAtTheHandlerWithoutTheLoaderName() {
    IllegalStateException e = new IllegalStateException("boom");
    e.setStackTrace(
        new StackTraceElement[] {
          frame("fn-orders", "com.shop.Orders", "check"),
          frame("fn-orders", "com.shop.Orders", "handleRequest"),
          frame(null, "jdk.internal.reflect.DirectMethodHandleAccessor", "invoke"),
          frame(null, "java.lang.reflect.Method", "invoke"),
          frame("sluice-lambda-platform", "dev.sluice.function.classloader.bridge.X", "invoke"),
          frame("app", "dev.sluice.function.classloader.HandlerInstance", "invoke")
        });

    InvocationResult.Failure f = InvocationResult.Failure.of(e);

    assertThat(f.stackTrace())
        .containsExactly(
            "com.shop.Orders.check(F.java:7)", "com.shop.Orders.handleRequest(F.java:7)");
    assertThat(f.errorMessage()).isEqualTo("boom");
  }

  @Test
  void of_throwableWithoutMessage_theClassNameIsTheMessage() {
    InvocationResult.Failure f = InvocationResult.Failure.of(new IllegalStateException());

    assertThat(f.errorMessage()).isEqualTo("java.lang.IllegalStateException");
  }

  @Test
  void of_throwableFromAnotherThread_keepsEveryFrame() {
    RuntimeException e = new RuntimeException("x");
    e.setStackTrace(
        new StackTraceElement[] {
          frame("fn-a", "com.a.Worker", "run"), frame(null, "java.lang.Thread", "run")
        });

    assertThat(InvocationResult.Failure.of(e).stackTrace())
        .containsExactly("com.a.Worker.run(F.java:7)", "java.lang.Thread.run(F.java:7)");
  }

  @Test
  void toPayload_lambdasOwnErrors_haveNoStackTraceButAHandlersEmptyOneStays() throws Exception {
    ObjectMapper json = new ObjectMapper();

    JsonNode timeout = json.readTree(InvocationResult.Failure.timeout("r1", 3).toPayload());
    JsonNode exit =
        json.readTree(InvocationResult.Failure.exited("r1", "exit status 2").toPayload());
    JsonNode user =
        json.readTree(new InvocationResult.Failure("a.B", "m", List.of(), true).toPayload());

    assertThat(timeout.has("stackTrace")).isFalse();
    assertThat(timeout.get("errorType").asText()).isEqualTo("Sandbox.Timedout");
    assertThat(exit.has("stackTrace")).isFalse();
    assertThat(user.get("stackTrace").isArray()).isTrue();
  }
}
