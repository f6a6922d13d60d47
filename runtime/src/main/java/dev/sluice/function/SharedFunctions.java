package dev.sluice.function;

import dev.sluice.cluster.SharedRecords;
import dev.sluice.cluster.StateException;
import dev.sluice.cluster.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Shares functions through the node state, so that a function deployed through any node runs on
 * every node: {@code function/NAME} holds a {@link Versioned} configuration as JSON, {@code
 * code/NAME/HEX/ID} a package (the unpacked files zipped again; HEX is the hex of its CodeSha256,
 * ID tells uploads of the same package apart, so that removing one never removes another's). A
 * package is written before the configuration that names it, so a node reading in order always has
 * the code first; the data directory only caches unpacked packages.
 *
 * <p>Concurrent changes: a node does not apply its own change when it writes it, but when it reads
 * it back in the shared order, as every node does, and every node judges each change the same way
 * there ({@link #judge}): a change made from a state another change replaced meanwhile loses, and
 * its writer answers ResourceConflictException, as Lambda does while another update is in progress.
 * So no change is lost silently, and no configuration names a package the change it overtook
 * removed. A loser's record may be its key's last, which compaction would keep: its own node then
 * writes the winner again ({@link #restore}).
 *
 * <p>Thread model: judging runs on the store's applying thread under the service's lock, which
 * writers hold too while they prepare a change ({@link #propose}); they wait for its outcome
 * ({@link #await}) without it.
 */
final class SharedFunctions {

  private static final Logger LOG = Logger.getLogger(SharedFunctions.class);
  private static final String CODE = "code/";
  private static final long OUTCOME_WAIT_SECONDS = 30;

  /**
   * A function's configuration as shared.
   *
   * @param config the configuration
   * @param version above every version of the name read before it was written; a change wins only
   *     over a smaller one
   * @param incarnation one per creation of the name, kept by its changes: a change of a function
   *     deleted (and perhaps created again) meanwhile loses
   * @param creation whether this creates the function, which wins only where it does not exist
   * @param packageKey the key of the package it runs
   */
  record Versioned(
      FunctionConfig config,
      long version,
      String incarnation,
      boolean creation,
      String packageKey) {}

  /**
   * How a change of this node's ended in the shared order.
   *
   * @param accepted whether it took effect
   * @param replacedPackage the package key of the configuration it replaced, or null
   */
  record Outcome(boolean accepted, String replacedPackage) {}

  /**
   * A change written, or about to be, and its outcome to come.
   *
   * @param name the function
   * @param version its version (0 for a deletion)
   * @param record the record, or null for a deletion
   * @param outcome completed when the change is read back and judged
   */
  record Proposal(
      String name, long version, Versioned record, CompletableFuture<Outcome> outcome) {}

  /** Applies what the shared order decided; called under the service's lock. */
  interface Applier {
    /** Function {@code config.name()} now has {@code config}; {@code own}: this node's change. */
    void show(FunctionConfig config, boolean own, long version);

    /** Function {@code name} is gone. */
    void drop(String name);
  }

  /** The change in effect for a name; {@code verified} once judged in order here. */
  private record Head(Versioned record, boolean verified) {}

  private final StateStore state;
  private final SharedRecords<Versioned> configs;
  private final CodeStore codes;
  private final Object lock;
  private final ExecutorService restorer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-function-restore");
            t.setDaemon(true);
            return t;
          });

  // all under lock
  private final Map<String, Head> heads = new HashMap<>();
  private final Map<String, Long> seen = new HashMap<>();
  private final Map<String, Proposal> pending = new HashMap<>();

  /** Functions in {@code state}; {@code lock} is the service's, which judging takes. */
  SharedFunctions(StateStore state, CodeStore codes, Object lock) {
    this.state = state;
    this.configs = new SharedRecords<>(state, "function/", Versioned.class);
    this.codes = codes;
    this.lock = lock;
  }

  /**
   * Unpacks every shared package not cached yet and returns every function's configuration. A
   * package that cannot be unpacked is logged: its function fails to start here, the others run.
   * The records loaded are their keys' last ones, which were judged before this node read them:
   * taken as they are, unverified (see {@link #judge}).
   */
  List<FunctionConfig> load() {
    state.snapshot(CODE).forEach(this::unpackQuietly);
    List<FunctionConfig> out = new ArrayList<>();
    synchronized (lock) {
      for (Versioned v : configs.load()) {
        if (unreadable(v)) {
          continue;
        }
        String name = v.config().name();
        heads.put(name, new Head(v, false));
        seen.merge(name, v.version(), Math::max);
        out.add(v.config());
      }
    }
    return out;
  }

  /** Calls {@code applier} for each change that takes effect from now on, in the shared order. */
  void listen(Applier applier) {
    state.listen(
        CODE,
        (key, value) -> {
          if (value != null) {
            unpackQuietly(key, value);
          }
        });
    configs.listenAll(
        new SharedRecords.Remote<>() {
          @Override
          public void changed(String id, Versioned value) {
            changed(id, value, false);
          }

          @Override
          public void changed(String id, Versioned value, boolean own) {
            judge(id, value, own, applier);
          }

          @Override
          public void removed(String id) {
            removed(id, false);
          }

          @Override
          public void removed(String id, boolean own) {
            judge(id, null, own, applier);
          }
        });
  }

  /** Waits until this node applied every change in the shared state so far. */
  void awaitCurrent() {
    state.awaitCurrent();
  }

  /** Shares a package and returns its key; call before proposing the configuration naming it. */
  String shareCode(String name, String sha256, DeployedCode code) {
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
    String key = CODE + name + "/" + hex(sha256) + "/" + UUID.randomUUID();
    state.put(key, zip);
    return key;
  }

  /**
   * A change to {@code config}, one version above every one read of the name; {@code packageKey}
   * null keeps the package of the configuration in effect. Call under the service's lock, then
   * {@link #write} it.
   */
  Proposal propose(FunctionConfig config, boolean creation, String packageKey) {
    String name = config.name();
    Head head = heads.get(name);
    long version = seen.getOrDefault(name, 0L) + 1;
    Versioned record =
        new Versioned(
            config,
            version,
            creation || head == null ? UUID.randomUUID().toString() : head.record().incarnation(),
            creation,
            packageKey != null || head == null ? packageKey : head.record().packageKey());
    return track(new Proposal(name, version, record, new CompletableFuture<>()));
  }

  /** The deletion of {@code name}; {@link #write} it. */
  Proposal proposeDeletion(String name) {
    return track(new Proposal(name, 0, null, new CompletableFuture<>()));
  }

  private Proposal track(Proposal p) {
    pending.put(p.name(), p);
    return p;
  }

  /** Writes a proposal; blocking, durable when it returns. Its outcome follows ({@link #await}). */
  void write(Proposal p) {
    try {
      if (p.record() == null) {
        configs.remove(p.name());
      } else {
        configs.put(p.name(), p.record());
      }
    } catch (RuntimeException e) {
      synchronized (lock) {
        pending.remove(p.name(), p);
      }
      throw e;
    }
  }

  /**
   * Waits for a written proposal's outcome; fails as a conflict when this node did not read it back
   * in time (it may still take effect). Not under the service's lock.
   */
  Outcome await(Proposal p) {
    try {
      return p.outcome().get(OUTCOME_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new FunctionException(
          FunctionException.Kind.CONFLICT,
          "The change of "
              + p.name()
              + " is written, but this node has not read it back within "
              + OUTCOME_WAIT_SECONDS
              + " s; GetFunction shows whether it took effect.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for a function change", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      synchronized (lock) {
        pending.remove(p.name(), p);
      }
    }
  }

  /** The package key of the configuration in effect, or null. Under the service's lock. */
  String packageOf(String name) {
    Head head = heads.get(name);
    return head == null ? null : head.record().packageKey();
  }

  /** Removes a package no configuration names any more; a failure only leaves it behind. */
  void removePackage(String key) {
    try {
      state.remove(key);
    } catch (StateException e) {
      LOG.warnf("Could not remove the unused package %s: %s", key, e.getMessage());
    }
  }

  /** Stops writing winners again. */
  void close() {
    restorer.shutdownNow();
  }

  /**
   * Decides whether a record read in the shared order takes effect, as every node does: a deletion
   * always does; a creation only where the name has no function; a change only with a version above
   * the one in effect and the same incarnation (any incarnation while that one was loaded, not
   * judged here). This node's own losing record is followed by the winner again.
   */
  private void judge(String name, Versioned record, boolean own, Applier applier) {
    if (record != null && unreadable(record)) {
      return;
    }
    synchronized (lock) {
      Head head = heads.get(name);
      boolean accepted;
      if (record == null) {
        accepted = true;
        heads.remove(name);
        applier.drop(name);
      } else {
        seen.merge(name, record.version(), Math::max);
        accepted = wins(record, head);
        if (accepted) {
          heads.put(name, new Head(record, true));
          applier.show(record.config(), own, record.version());
        }
      }
      if (own) {
        settle(name, record, accepted, head);
      }
    }
  }

  private static boolean wins(Versioned record, Head head) {
    if (head == null) {
      return record.creation();
    }
    Versioned current = head.record();
    return !record.creation()
        && record.version() > current.version()
        && (!head.verified() || current.incarnation().equals(record.incarnation()));
  }

  private void settle(String name, Versioned record, boolean accepted, Head replaced) {
    Proposal p = pending.get(name);
    long version = record == null ? 0 : record.version();
    if (p != null && p.version() == version) {
      String replacedKey = accepted && replaced != null ? replaced.record().packageKey() : null;
      p.outcome().complete(new Outcome(accepted, replacedKey));
    }
    if (!accepted) {
      try {
        restorer.execute(() -> restore(name));
      } catch (RejectedExecutionException e) {
        // the node is closing; the next change of the function makes a record last again
      }
    }
  }

  /** A record without a configuration: written by a version of Sluice before versions. */
  private static boolean unreadable(Versioned v) {
    if (v.config() == null) {
      LOG.warnf("Skipping a function record without versions in the node state: %s", v);
      return true;
    }
    return false;
  }

  /**
   * This node's change lost, yet its record may be its key's last in the shared order: compaction
   * would keep it, and a node starting later would load the loser. Writing what is in effect again,
   * one version up (or the deletion again), makes it last. Only the loser's own node does this, so
   * winners do not race again; a restore that loses in turn is restored again.
   */
  private void restore(String name) {
    Versioned again;
    synchronized (lock) {
      Head head = heads.get(name);
      if (head == null) {
        again = null;
      } else {
        Versioned h = head.record();
        long version = seen.getOrDefault(name, 0L) + 1;
        again = new Versioned(h.config(), version, h.incarnation(), false, h.packageKey());
      }
    }
    try {
      if (again == null) {
        configs.remove(name);
      } else {
        configs.put(name, again);
      }
    } catch (RuntimeException e) {
      LOG.warnf("Could not write function %s again after a lost change: %s", name, e.getMessage());
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

  private static String hex(String sha256) {
    return HexFormat.of().formatHex(Base64.getDecoder().decode(sha256));
  }
}
