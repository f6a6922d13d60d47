package dev.sluice.template;

import java.nio.file.Path;

/**
 * What the resource readers share while one template is read.
 *
 * @param ctx the caller's region, account, stack name and overrides
 * @param problems where errors and warnings go
 * @param resolver applies intrinsic functions
 * @param baseDir the directory relative code paths start from
 */
record Scope(TemplateContext ctx, Problems problems, Resolver resolver, Path baseDir) {

  Node resolve(Node raw, String path) {
    return resolver.resolve(raw, path);
  }
}
