package dev.sluice.function;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runtime identifiers: every one Lambda's API model knows, and the ones Sluice runs. A name outside
 * the first is a model error (ValidationException); one Lambda knows but Sluice does not run is a
 * bad parameter value, with a message that says so.
 */
public final class Runtimes {

  /** What Sluice runs: Java handlers, and bootstrap programs in a process. */
  public static final List<String> RUNNABLE =
      List.of("java17", "java21", "java25", "provided", "provided.al2", "provided.al2023");

  /** Lambda's Runtime enum, as AWS SDK 2.57 models it. */
  static final Set<String> LAMBDA =
      Set.of(
          "nodejs",
          "nodejs4.3",
          "nodejs4.3-edge",
          "nodejs6.10",
          "nodejs8.10",
          "nodejs10.x",
          "nodejs12.x",
          "nodejs14.x",
          "nodejs16.x",
          "nodejs18.x",
          "nodejs20.x",
          "nodejs22.x",
          "nodejs24.x",
          "nodejs26.x",
          "java8",
          "java8.al2",
          "java8.al2023",
          "java11",
          "java11.al2023",
          "java17",
          "java17.al2023",
          "java21",
          "java25",
          "python2.7",
          "python3.6",
          "python3.7",
          "python3.8",
          "python3.9",
          "python3.10",
          "python3.11",
          "python3.12",
          "python3.13",
          "python3.14",
          "python3.15",
          "dotnetcore1.0",
          "dotnetcore2.0",
          "dotnetcore2.1",
          "dotnetcore3.1",
          "dotnet6",
          "dotnet8",
          "dotnet10",
          "go1.x",
          "ruby2.5",
          "ruby2.7",
          "ruby3.2",
          "ruby3.3",
          "ruby3.4",
          "ruby4.0",
          "provided",
          "provided.al2",
          "provided.al2023");

  private Runtimes() {}

  /** Fails unless Lambda's model knows {@code runtime} (null passes: the request leaves it). */
  static void checkKnown(String runtime) {
    if (runtime != null && !LAMBDA.contains(runtime)) {
      throw FunctionException.validation(
          "Value '"
              + runtime
              + "' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: "
              + new TreeSet<>(LAMBDA));
    }
  }

  /** Fails unless Sluice runs {@code runtime}, which Lambda's model knows. */
  static void checkRunnable(String runtime) {
    if (runtime == null || !RUNNABLE.contains(runtime)) {
      throw FunctionException.invalid(
          "The runtime parameter of "
              + runtime
              + " is not supported by Sluice, which runs "
              + RUNNABLE
              + ".");
    }
  }
}
