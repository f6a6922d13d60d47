package dev.sluice.template;

import java.nio.file.Path;

/**
 * What the resource readers share while one template is read.
 *
 * @param ctx the caller's region, account, stack name and overrides
 * @param problems where errors and warnings go
 * @param resolver applies intrinsic functions
 * @param baseDir the directory relative code paths start from
 * @param consumerGroups the ConsumerGroupIds Kafka events gave so far, each with the path of the
 *     first that gave it: a group may serve one mapping only
 */
record Scope(
    TemplateContext ctx,
    Problems problems,
    Resolver resolver,
    Path baseDir,
    java.util.Map<String, String> consumerGroups) {

  /** A scope for one template read, with no consumer group given yet. */
  Scope(TemplateContext ctx, Problems problems, Resolver resolver, Path baseDir) {
    this(ctx, problems, resolver, baseDir, new java.util.HashMap<>());
  }

  Node resolve(Node raw, String path) {
    return resolver.resolve(raw, path);
  }
}
