package dev.sluice.function;

import dev.sluice.cluster.SharedRecords;
import dev.sluice.cluster.StateException;
import dev.sluice.cluster.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Shares functions through the node state, so that a function deployed through any node runs on
 * every node: {@code function/NAME} holds its configuration as JSON, {@code code/NAME/HEX} its
 * package (the unpacked files zipped again; HEX is the hex of its CodeSha256). A package is written
 * before the configuration that names it, so a node reading in order always has the code first; the
 * data directory only caches unpacked packages.
 */
final class SharedFunctions {

  private static final Logger LOG = Logger.getLogger(SharedFunctions.class);
  private static final String CODE = "code/";

  private final StateStore state;
  private final SharedRecords<FunctionConfig> configs;
  private final CodeStore codes;

  SharedFunctions(StateStore state, CodeStore codes) {
    this.state = state;
    this.configs = new SharedRecords<>(state, "function/", FunctionConfig.class);
    this.codes = codes;
  }

  /**
   * Unpacks every shared package not cached yet and returns every function's configuration. A
   * package that cannot be unpacked is logged: its function fails to start here, the others run.
   */
  List<FunctionConfig> load() {
    state.snapshot(CODE).forEach(this::unpackQuietly);
    return configs.load();
  }

  /** Calls {@code remote} for each change another node makes from now on. */
  void listen(SharedRecords.Remote<FunctionConfig> remote) {
    state.listen(
        CODE,
        (key, value) -> {
          if (value != null) {
            unpackQuietly(key, value);
          }
        });
    configs.listen(remote);
  }

  /** Waits until this node applied every change in the shared state so far. */
  void awaitCurrent() {
    state.awaitCurrent();
  }

  /** Shares a package; call before sharing the configuration that names it. */
  void shareCode(String name, String sha256, DeployedCode code) {
    byte[] zip;
    try {
      zip = ZipPackages.zip(code.root());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot pack the code of " + name, e);
    }
    if (zip.length > StateStore.MAX_VALUE_BYTES) {
      throw FunctionException.invalid(
          "The code package of "
              + name
              + " is "
              + zip.length
              + " bytes zipped; nodes sharing their state take packages of at most "
              + StateStore.MAX_VALUE_BYTES
              + " bytes.");
    }
    state.put(codeKey(name, sha256), zip);
  }

  /** Shares a configuration; {@code replacedSha256} names a package no longer used, or is null. */
  void shareConfig(FunctionConfig config, String replacedSha256) {
    configs.put(config.name(), config);
    if (replacedSha256 != null && !replacedSha256.equals(config.codeSha256())) {
      try {
        state.remove(codeKey(config.name(), replacedSha256));
      } catch (StateException e) {
        // the function changed everywhere already; an old package left behind only costs space
        LOG.warnf("Could not remove the replaced package of %s: %s", config.name(), e.getMessage());
      }
    }
  }

  /** Removes a function and its package from the shared state. */
  void delete(FunctionConfig config) {
    configs.remove(config.name());
    try {
      state.remove(codeKey(config.name(), config.codeSha256()));
    } catch (StateException e) {
      // the function is gone everywhere already: failing here left it on this node only
      LOG.warnf("Could not remove the package of deleted %s: %s", config.name(), e.getMessage());
    }
  }

  private void unpackQuietly(String key, byte[] zip) {
    try {
      String[] parts = key.split("/");
      String sha = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(parts[2]));
      codes.unpack(parts[1], sha, zip);
    } catch (IOException | RuntimeException e) {
      LOG.errorf(e, "Cannot unpack the shared package %s; its function cannot run here", key);
    }
  }

  private static String codeKey(String name, String sha256) {
    return CODE + name + "/" + HexFormat.of().formatHex(Base64.getDecoder().decode(sha256));
  }
}
