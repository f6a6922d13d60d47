package dev.sluice.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cluster.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;


/**
 * Shares functions through the node state, so that a function deployed through any node runs on
 * every node: {@code function/NAME} holds its configuration as JSON, {@code code/NAME/HEX} its
 * package (the unpacked files zipped again; HEX is the hex of its CodeSha256). A package is written
 * before the configuration that names it, so a node reading in order always has the code first;
 * the data directory only caches unpacked packages.
 */
final class SharedFunctions {

  private static final String FUNCTION = "function/";
  private static final String CODE = "code/";

  /** Applies what another node changed. */
  interface Remote {
    /** Function {@code config.name()} now has {@code config}. */
    void changed(FunctionConfig config);

    /** Function {@code name} was deleted. */
    void deleted(String name);
  }

  private final StateStore state;
  private final CodeStore codes;
  private final ObjectMapper mapper;

  SharedFunctions(StateStore state, CodeStore codes, ObjectMapper mapper) {
    this.state = state;
    this.codes = codes;
    this.mapper = mapper;
  }

  /** Unpacks every shared package not cached yet and returns every function's configuration. */
  List<FunctionConfig> load() {
    state.snapshot(CODE).forEach(this::unpack);
    List<FunctionConfig> out = new ArrayList<>();
    for (byte[] value : state.snapshot(FUNCTION).values()) {
      out.add(read(value));
    }
    return out;
  }

  /** Calls {@code remote} for each change another node makes from now on. */
  void listen(Remote remote) {
    state.listen(
        CODE,
        (key, value) -> {
          if (value != null) {
            unpack(key, value);
          }
        });
    state.listen(
        FUNCTION,
        (key, value) -> {
          if (value == null) {
            remote.deleted(key.substring(FUNCTION.length()));
          } else {
            remote.changed(read(value));
          }
        });
  }

  /** Shares a package; call before sharing the configuration that names it. */
  void shareCode(String name, String sha256, DeployedCode code) {
    byte[] zip;
    try {
      zip = CodeArchive.zip(code.root());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot pack the code of " + name, e);
    }
    state.put(codeKey(name, sha256), zip);
  }

  /** Shares a configuration; {@code replacedSha256} names a package no longer used, or is null. */
  void shareConfig(FunctionConfig config, String replacedSha256) {
    try {
      state.put(FUNCTION + config.name(), mapper.writeValueAsBytes(config));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (replacedSha256 != null && !replacedSha256.equals(config.codeSha256())) {
      state.remove(codeKey(config.name(), replacedSha256));
    }
  }

  /** Removes a function and its package from the shared state. */
  void delete(FunctionConfig config) {
    state.remove(FUNCTION + config.name());
    state.remove(codeKey(config.name(), config.codeSha256()));
  }

  private void unpack(String key, byte[] zip) {
    String[] parts = key.split("/");
    String sha = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(parts[2]));
    try {
      codes.unpack(parts[1], sha, zip);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the shared code " + key, e);
    }
  }

  private static String codeKey(String name, String sha256) {
    return CODE + name + "/" + HexFormat.of().formatHex(Base64.getDecoder().decode(sha256));
  }

  private FunctionConfig read(byte[] value) {
    try {
      return mapper.readValue(value, FunctionConfig.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a function from the node state", e);
    }
  }

}
