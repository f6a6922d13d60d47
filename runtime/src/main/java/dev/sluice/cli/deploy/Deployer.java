package dev.sluice.cli.deploy;

import dev.sluice.cli.client.SluiceClient;
import dev.sluice.template.FunctionResource;
import dev.sluice.template.StreamResource;
import dev.sluice.template.Template;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Applies a resolved template to a running server through its public APIs, creating what is missing
 * and updating only what differs, so a second deploy of the same template changes nothing. Streams
 * go first, then functions, then mappings, because each needs the one before. Every function and
 * stream is tagged with the stack's name, so that a later deploy of the stack deletes those its
 * template dropped ({@link StackPruner}), and a template function's mappings whose event is gone.
 */
public final class Deployer {

  private final Builder builder;
  private final Consumer<Change> progress;
  private final StreamDeployer streams;
  private final FunctionDeployer functions;
  private final MappingDeployer mappings;
  private final StackPruner pruner;

  /** A deployer against {@code client} that reports each change as it happens. */
  public Deployer(SluiceClient client, Builder builder, Consumer<Change> progress) {
    this.builder = builder;
    this.progress = progress;
    this.streams = new StreamDeployer(client, new Waiter(Duration.ofSeconds(60)));
    this.functions = new FunctionDeployer(client);
    this.mappings = new MappingDeployer(client);
    this.pruner = new StackPruner(client, mappings);
  }

  /** Builds every function's package that needs it; returns function name → package. */
  public Map<String, Path> build(Template t) {
    Map<String, Path> artifacts = new LinkedHashMap<>();
    for (FunctionResource f : t.functions()) {
      artifacts.put(f.name(), builder.artifact(f.code()));
    }
    return artifacts;
  }

  /** Applies {@code t} with packages from {@link #build}; returns every change in order. */
  public List<Change> apply(Template t, Map<String, Path> artifacts) {
    requireOwnNames(t);
    List<Change> all = new ArrayList<>();
    for (StreamResource s : t.streams()) {
      step(
          all,
          "stream " + s.name(),
          () -> report(all, streams.apply(s, t.stackName(), c -> report(all, c))));
    }
    for (FunctionResource f : t.functions()) {
      step(
          all,
          "function " + f.name(),
          () ->
              report(
                  all,
                  functions.apply(f, artifacts.get(f.name()), t.stackName(), c -> report(all, c))));
    }
    for (FunctionResource f : t.functions()) {
      step(
          all,
          "the mappings of function " + f.name(),
          () -> mappings.apply(f, c -> report(all, c)));
    }
    if (t.stackName() != null) {
      step(
          all, "removing what the stack no longer has", () -> pruner.prune(t, c -> report(all, c)));
    }
    step(
        all,
        "looking for other functions' mappings of these streams",
        () -> mappings.strangers(t).forEach(c -> report(all, c)));
    return all;
  }

  /**
   * Refuses, before changing anything, a template of a stack that names another stack's function or
   * stream: as CloudFormation refuses a named resource that exists, a stack never takes over
   * another's (it would change it, delete its mappings, and later delete it). Resources that no
   * stack made are taken into the stack.
   */
  private void requireOwnNames(Template t) {
    String stack = t.stackName();
    if (stack == null) {
      return;
    }
    for (StreamResource s : t.streams()) {
      requireOwn("stream " + s.name(), stack, streams.stackOf(s.name()));
    }
    for (FunctionResource f : t.functions()) {
      requireOwn("function " + f.name(), stack, functions.stackOf(f.name()));
    }
  }

  private static void requireOwn(String resource, String stack, String owner) {
    if (owner != null && !owner.equals(stack)) {
      throw new DeployException(
          resource
              + " belongs to stack "
              + owner
              + ": a stack does not take over another stack's resources. Give it another name in"
              + " this template, or remove it from stack "
              + owner
              + " first. Nothing was changed.");
    }
  }

  /**
   * Runs one resource's step; a refusal from the server ends the deploy with a message that names
   * the resource and says what was applied before it (a deploy is not a transaction).
   */
  private static void step(List<Change> done, String what, Runnable apply) {
    try {
      apply.run();
    } catch (RuntimeException e) {
      // a refusal, a wait that timed out, a file that could not be read: whatever stops a step,
      // the user must learn what stays applied
      long changed = done.stream().filter(Change::changed).count();
      throw new DeployException(
          what
              + ": "
              + reason(e)
              + "\nThe deploy stopped there: "
              + (changed == 0
                  ? "nothing was changed before it"
                  : changed == 1
                      ? "1 change before it stays applied"
                      : changed + " changes before it stay applied")
              + "; the resources after it were not deployed.");
    }
  }

  /** Rebuilds one function's package if its sources changed and sends it when it differs. */
  public boolean redeployCode(FunctionResource f) {
    return functions.updateCode(f.name(), builder.artifact(f.code()));
  }

  private void report(List<Change> all, Change c) {
    all.add(c);
    progress.accept(c);
  }

  private static String reason(RuntimeException e) {
    if (e instanceof UncheckedIOException io) {
      return "cannot read " + io.getCause().getMessage();
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }
}
