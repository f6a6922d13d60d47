package dev.sluice.function;

import dev.sluice.cluster.SharedRecords;
import dev.sluice.cluster.StateException;
import dev.sluice.cluster.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Shares functions through the node state, so that a function deployed through any node runs on
 * every node: {@code function/NAME} holds a {@link Versioned} configuration as JSON (or a deletion
 * marker), {@code code/NAME/HEX/ID} a package (the unpacked files zipped again; HEX is the hex of
 * its CodeSha256, ID tells uploads of the same package apart, so that removing one never removes
 * another's). A package is written before the configuration that names it, so a node reading in
 * order always has the code first; the data directory only caches unpacked packages.
 *
 * <p>Concurrent changes: a node does not apply its own change when it writes it, but when it reads
 * it back in the shared order, and every node judges each record the same way there ({@link
 * #wins}): a change, deletions included, wins only if made from the change in effect, so one made
 * from a state another change replaced meanwhile loses, and its writer answers as Lambda does
 * (ResourceConflictException while another update is in progress). No change is lost silently, and
 * no configuration names a package that the change it overtook removed. Deletions are markers, not
 * tombstones, so that they are judged like any change (a marker per deleted name stays). A loser's
 * record may be its key's last, which compaction would keep: the change in effect is then written
 * again ({@link #restore}), at once by the loser's node, and by any node some seconds later if the
 * loser is still last (its writer died). A node starting judges every record the topic still holds,
 * in order ({@link #load}), so it agrees with the others.
 *
 * <p>Thread model: judging runs on the store's applying thread under the service's lock, which
 * writers hold too while they prepare a change ({@link #propose}); they share its package, write it
 * and wait for its outcome ({@link #await}) without it. Restores run on a thread of their own.
 */
final class SharedFunctions {

  private static final Logger LOG = Logger.getLogger(SharedFunctions.class);
  private static final String CODE = "code/";
  private static final String REMOVED = "";
  private static final long OUTCOME_WAIT_SECONDS = 30;
  private static final long OTHERS_RESTORE_MILLIS = 5_000;
  private static final int OTHERS_RESTORE_JITTER_MILLIS = 2_000;
  private static final long RESTORE_RETRY_MILLIS = 1_000;

  /**
   * A function's configuration as shared.
   *
   * @param config the configuration, or null for a deletion
   * @param version above every version of the name its writer had read; a restore keeps the version
   *     of the change it writes again
   * @param base the version of the change in effect it was made from (0 for a creation); it wins
   *     only while that one is in effect
   * @param incarnation one per creation of the name, kept by its changes
   * @param creation whether this creates the function, which wins only where it does not exist
   * @param deleted whether this deletes the function
   * @param follows for a restore, the id of the losing record it writes the change in effect after;
   *     null otherwise
   * @param packageKey the key of the package it runs
   * @param changeId unique to this record, so that its writer knows it when it reads it back
   */
  record Versioned(
      FunctionConfig config,
      long version,
      long base,
      String incarnation,
      boolean creation,
      boolean deleted,
      String follows,
      String packageKey,
      String changeId) {}

  /**
   * How a change of this node's ended in the shared order.
   *
   * @param accepted whether it took effect
   * @param gone whether the function did not exist when it was judged
   * @param replacedPackage the package key of the configuration it replaced, or null
   */
  record Outcome(boolean accepted, boolean gone, String replacedPackage) {}

  /**
   * A change written, or about to be, and its outcome to come.
   *
   * @param name the function
   * @param record the record
   * @param uploaded the key of the package this change shared, or null
   * @param outcome completed when the change is read back and judged
   */
  record Proposal(
      String name, Versioned record, String uploaded, CompletableFuture<Outcome> outcome) {

    /** The version of the change. */
    long version() {
      return record.version();
    }
  }

  /** Applies what the shared order decided; called under the service's lock. */
  interface Applier {
    /** Function {@code config.name()} now has {@code config}; {@code own}: this node's change. */
    void show(FunctionConfig config, boolean own, long version);

    /** Function {@code name} is gone. */
    void drop(String name);
  }

  /**
   * The change in effect for a name; {@code verified} unless it is the first record of the name the
   * topic still held when this node started (compaction dropped the ones before it).
   */
  private record Head(Versioned record, boolean verified) {}

  private final StateStore state;
  private final SharedRecords<Versioned> configs;
  private final CodeStore codes;
  private final Object lock;
  private final ScheduledExecutorService restorer =
      Executors.newSingleThreadScheduledExecutor(
          r -> FunctionService.daemon(r, "sluice-function-restore"));

  // all under lock
  private final Map<String, Head> heads = new HashMap<>();
  private final Map<String, Long> seen = new HashMap<>();
  private final Map<String, String> lastRead = new HashMap<>();
  private final Map<String, Proposal> pending = new HashMap<>();

  /** Functions in {@code state}; {@code lock} is the service's, which judging takes. */
  SharedFunctions(StateStore state, CodeStore codes, Object lock) {
    this.state = state;
    this.configs = new SharedRecords<>(state, "function/", Versioned.class);
    this.codes = codes;
    this.lock = lock;
  }

  /**
   * Unpacks every shared package not cached yet, judges every function record the topic holds in
   * order, as the nodes that read them did, and returns the configurations in effect. A package
   * that cannot be unpacked is logged: its function fails to start here, the others run.
   */
  List<FunctionConfig> load(boolean foldsCase) {
    // each package is read from the shared state only when it is not cached here, and dropped once
    // unpacked: a node holds one at a time
    Map<String, Set<String>> kept = new HashMap<>();
    for (Map.Entry<String, byte[]> e : state.snapshot(CODE).entrySet()) {
      PackageKey key = PackageKey.parse(e.getKey());
      if (key != null) {
        unpackQuietly(key, e::getValue);
        key.keepIn(kept);
      }
    }
    synchronized (lock) {
      Map<String, Boolean> lostLast = new HashMap<>();
      for (Map.Entry<String, Versioned> e : configs.history()) {
        String name = e.getKey();
        Versioned v = e.getValue();
        if (v != null && unreadable(v)) {
          continue;
        }
        // the first record left of a name is taken as it is: those it was judged against are gone.
        // So is one made from a version this node never read: Kafka's cleaner dropped the records
        // between while this node was reading (it promises a reader from the start only each key's
        // last record), and judged against the earlier one it lost here and won everywhere else
        Long known = seen.get(name);
        boolean first =
            !lastRead.containsKey(name) || v != null && known != null && v.base() > known;
        boolean accepted = v == null || first || wins(v, heads.get(name));
        lastRead.put(name, v == null ? REMOVED : v.changeId());
        lostLast.put(name, !accepted);
        if (v == null || (accepted && v.deleted())) {
          heads.remove(name);
        } else {
          seen.merge(name, v.version(), Math::max);
          if (accepted) {
            heads.put(name, new Head(v, !first));
          }
        }
      }
      // a loser last when this node started: its writer died, or has not written the winner yet
      lostLast.forEach(
          (name, lost) -> {
            if (lost) {
              restoreLater(name, lastRead.get(name), null, othersDelay());
            }
          });
      List<FunctionConfig> out = new ArrayList<>();
      heads.values().forEach(h -> out.add(h.record().config()));
      // a head's package too: a newer node's change this one cannot read may have removed it
      heads.forEach(
          (name, h) -> {
            kept.computeIfAbsent(name, n -> new HashSet<>());
            PackageKey key = PackageKey.parse(h.record().packageKey());
            if (key != null) {
              key.keepIn(kept);
            }
          });
      sweep(kept, foldsCase);
      return out;
    }
  }

  /**
   * Whether a function of this name is in effect in the shared state, whether or not it runs here.
   */
  boolean has(String name) {
    synchronized (lock) {
      return heads.containsKey(name);
    }
  }

  /** Calls {@code applier} for each change that takes effect from now on, in the shared order. */
  void listen(Applier applier) {
    state.listen(
        CODE,
        (key, value) -> {
          if (value != null) {
            PackageKey k = PackageKey.parse(key);
            if (k != null) {
              unpackQuietly(k, () -> value);
            }
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

  /** Waits until this node applied every change in the shared state so far; false: still behind. */
  boolean awaitCurrent() {
    return state.awaitCurrent();
  }

  /** A new key to share a package of {@code name} under, unique to this upload. */
  String packageKey(String name, String sha256) {
    return CODE + name + "/" + hex(sha256) + "/" + UUID.randomUUID();
  }

  /**
   * A package zipped for sharing; fails as {@link FunctionException.Kind#INVALID_PARAMETER} when it
   * is larger than the shared state takes. Long for a large package: not under the service's lock.
   */
  byte[] pack(String name, DeployedCode code) {
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
    return zip;
  }

  /**
   * Shares a package under {@code key}; call before writing the configuration naming it. Blocking,
   * durable when it returns; not under the service's lock.
   */
  void upload(String key, byte[] zip) {
    state.put(key, zip);
  }

  /**
   * A change to {@code config} made from the change in effect; {@code packageKey} null keeps that
   * one's package. Call under the service's lock, then {@link #write} it.
   */
  Proposal propose(FunctionConfig config, boolean creation, String packageKey) {
    return track(config.name(), fromHead(config.name(), config, creation, packageKey), packageKey);
  }

  /** The deletion of {@code name}, made from the change in effect; {@link #write} it. */
  Proposal proposeDeletion(String name) {
    return track(name, fromHead(name, null, false, null), null);
  }

  /** A record made from the change in effect: {@code config} null deletes. */
  private Versioned fromHead(
      String name, FunctionConfig config, boolean creation, String packageKey) {
    Head head = heads.get(name);
    Versioned h = head == null ? null : head.record();
    boolean fresh = creation || h == null;
    return new Versioned(
        config,
        nextVersion(name),
        h == null ? 0 : h.version(),
        fresh ? UUID.randomUUID().toString() : h.incarnation(),
        creation,
        config == null,
        null,
        config == null || packageKey != null || h == null ? packageKey : h.packageKey(),
        UUID.randomUUID().toString());
  }

  private long nextVersion(String name) {
    return seen.merge(name, 1L, Long::sum);
  }

  private Proposal track(String name, Versioned record, String uploaded) {
    Proposal p = new Proposal(name, record, uploaded, new CompletableFuture<>());
    pending.put(p.name(), p);
    return p;
  }

  /** Forgets a proposal that will not be written. */
  void abandon(Proposal p) {
    synchronized (lock) {
      pending.remove(p.name(), p);
    }
  }

  /**
   * Writes a proposal; blocking, durable when it returns. Its outcome follows ({@link #await}). A
   * failed write may still land: it fails as {@link FunctionException.Kind#SERVICE}.
   */
  void write(Proposal p) {
    try {
      configs.put(p.name(), p.record());
    } catch (RuntimeException e) {
      synchronized (lock) {
        pending.remove(p.name(), p);
      }
      throw unknown(p.name(), "could not be written (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Waits for a written proposal's outcome; fails as {@link FunctionException.Kind#SERVICE} when
   * this node did not read it back in time or is closing (it may still take effect). Not under the
   * service's lock.
   */
  Outcome await(Proposal p) {
    try {
      return p.outcome().get(OUTCOME_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw unknown(p.name(), "is not read back after " + OUTCOME_WAIT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unknown(p.name(), "was interrupted", e);
    } catch (ExecutionException e) {
      throw unknown(p.name(), "was cut short: " + e.getCause().getMessage(), e);
    } finally {
      synchronized (lock) {
        pending.remove(p.name(), p);
      }
    }
  }

  private static FunctionException unknown(String name, String what, Exception cause) {
    // with its cause given at construction: initCause on an exception made with a null cause
    // throws, and that IllegalStateException took the place of this one
    return new FunctionException(
        FunctionException.Kind.SERVICE,
        "The change of "
            + name
            + " "
            + what
            + "; it may still take effect: GetFunction shows whether it did.",
        cause);
  }

  /** Removes a package no configuration names any more; a failure only leaves it behind. */
  void removePackage(String key) {
    try {
      state.remove(key);
    } catch (StateException e) {
      LOG.warnf("Could not remove the unused package %s: %s", key, e.getMessage());
    }
  }

  /** Ends the waits of changes in flight and stops writing winners again; idempotent. */
  void close() {
    synchronized (lock) {
      pending.values().forEach(p -> p.outcome().completeExceptionally(closing()));
    }
    restorer.shutdownNow();
  }

  private static IllegalStateException closing() {
    return new IllegalStateException("the node is closing");
  }

  /**
   * Judges a record read in the shared order, as every node does; a record that loses is followed
   * by the change in effect again. A removal (of an older Sluice's) takes effect.
   */
  private void judge(String name, Versioned record, boolean own, Applier applier) {
    if (record != null && unreadable(record)) {
      return;
    }
    synchronized (lock) {
      Head head = heads.get(name);
      boolean accepted = record == null || wins(record, head);
      String id = record == null ? REMOVED : record.changeId();
      lastRead.put(name, id);
      try {
        apply(name, record, accepted, own, applier);
      } catch (RuntimeException e) {
        LOG.errorf(e, "Could not apply a change of function %s on this node", name);
      } finally {
        String lostPackage = own && record != null ? settle(name, record, accepted, head) : null;
        if (!accepted) {
          restoreLater(name, id, lostPackage, own ? 0 : othersDelay());
        }
      }
    }
  }

  private void apply(
      String name, Versioned record, boolean accepted, boolean own, Applier applier) {
    if (record != null) {
      seen.merge(name, record.version(), Math::max);
    }
    if (!accepted) {
      return;
    }
    if (record == null || record.deleted()) {
      if (heads.remove(name) != null) {
        applier.drop(name);
      }
      return;
    }
    heads.put(name, new Head(record, true));
    applier.show(record.config(), own, record.version());
  }

  /**
   * A creation wins only where the name has no function; any other change, deletions included, only
   * if made from the change in effect (its base version and incarnation); a restore of a deletion
   * where there is none changes nothing and wins. A head that is the first record left of its name
   * may be a loser whose winner compaction dropped: a restore following it wins there.
   */
  private static boolean wins(Versioned record, Head head) {
    if (head == null) {
      return record.creation() || (record.deleted() && record.follows() != null);
    }
    Versioned current = head.record();
    if (record.creation()) {
      return false;
    }
    if (!head.verified() && current.changeId().equals(record.follows())) {
      return true;
    }
    return record.base() == current.version() && current.incarnation().equals(record.incarnation());
  }

  /**
   * Completes the outcome of the proposal {@code record} is, if it is one; returns the package a
   * losing one shared, which goes once it no longer is its key's last record.
   */
  private String settle(String name, Versioned record, boolean accepted, Head replaced) {
    Proposal p = pending.get(name);
    if (p == null || !p.record().changeId().equals(record.changeId())) {
      return null;
    }
    String replacedKey = accepted && replaced != null ? replaced.record().packageKey() : null;
    p.outcome().complete(new Outcome(accepted, replaced == null, replacedKey));
    return accepted ? null : p.uploaded();
  }

  /** When other nodes write the winner again after a loser: spread, so that one of them does. */
  private static long othersDelay() {
    return OTHERS_RESTORE_MILLIS
        + ThreadLocalRandom.current().nextInt(OTHERS_RESTORE_JITTER_MILLIS);
  }

  private void restoreLater(String name, String lostId, String lostPackage, long delayMillis) {
    try {
      restorer.schedule(
          () -> restore(name, lostId, lostPackage), delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // the node is closing; another node writes the winner again if the loser stays last
    }
  }

  /**
   * A record that lost may be its key's last in the shared order: compaction would keep it, and a
   * node starting later might take it for the change in effect. While it is still the last one read
   * here, writes the change in effect again (or a deletion where there is none); a write that fails
   * is tried again. The package the loser shared goes only then, so a loser left last never names a
   * removed package.
   */
  private void restore(String name, String lostId, String lostPackage) {
    Versioned again;
    synchronized (lock) {
      if (!lostId.equals(lastRead.get(name))) {
        removeLost(lostPackage);
        return; // a later record follows it
      }
      Head head = heads.get(name);
      again = head == null ? deletedAgain(nextVersion(name), lostId) : restoreOf(head, lostId);
    }
    try {
      configs.put(name, again);
      removeLost(lostPackage);
    } catch (RuntimeException e) {
      LOG.warnf("Could not write function %s again after a lost change: %s", name, e.getMessage());
      restoreLater(name, lostId, lostPackage, RESTORE_RETRY_MILLIS);
    }
  }

  private void removeLost(String lostPackage) {
    if (lostPackage != null) {
      removePackage(lostPackage);
    }
  }

  private static Versioned deletedAgain(long version, String lostId) {
    return new Versioned(
        null, version, 0, null, false, true, lostId, null, UUID.randomUUID().toString());
  }

  /**
   * The change in effect again, with its own version: a change made from it meanwhile, which names
   * that version as its base, still wins after the restore.
   */
  private static Versioned restoreOf(Head head, String lostId) {
    Versioned h = head.record();
    return new Versioned(
        h.config(),
        h.version(),
        h.version(),
        h.incarnation(),
        false,
        false,
        lostId,
        h.packageKey(),
        UUID.randomUUID().toString());
  }

  /** A record without an id, or a change without a configuration: not one this Sluice writes. */
  private static boolean unreadable(Versioned v) {
    if (v.changeId() == null || (v.config() == null && !v.deleted())) {
      LOG.warnf("Skipping a function record without versions in the node state: %s", v);
      return true;
    }
    return false;
  }

  /**
   * Deletes the cached packages and function directories the shared state no longer names: those of
   * functions deleted or changed while this node was down stayed on its disk for good.
   */
  private void sweep(Map<String, Set<String>> kept, boolean foldsCase) {
    try {
      codes.keepOnly(kept, foldsCase);
    } catch (IOException | RuntimeException e) {
      LOG.warnf(e, "Could not remove the packages no function uses any more");
    }
  }

  /**
   * A package key {@code code/NAME/HEX/ID} (or {@code code/NAME/HEX}) taken apart; sha256 is
   * base64, as CodeSha256.
   */
  private record PackageKey(String key, String function, String sha256) {

    /** The parts of {@code key}, or null (logged) when it is no package key. */
    static PackageKey parse(String key) {
      String[] parts = key == null ? new String[0] : key.split("/");
      try {
        // code/NAME/HEX from before per-upload IDs is read too: its package still runs
        if ((parts.length == 4 || parts.length == 3)
            && parts[0].equals("code")
            && !parts[1].isEmpty()
            && parts[2].length() == 64) {
          byte[] sha = HexFormat.of().parseHex(parts[2]);
          return new PackageKey(key, parts[1], Base64.getEncoder().encodeToString(sha));
        }
      } catch (IllegalArgumentException e) {
        // not hex: logged below
      }
      if (key != null) {
        LOG.warnf("Skipping %s in the node state: not a package key", key);
      }
      return null;
    }

    void keepIn(Map<String, Set<String>> kept) {
      kept.computeIfAbsent(function, n -> new HashSet<>()).add(sha256);
    }
  }

  private void unpackQuietly(PackageKey key, Supplier<byte[]> zip) {
    try {
      codes.unpackIfMissing(key.function(), key.sha256(), zip);
    } catch (IOException | RuntimeException e) {
      LOG.errorf(e, "Cannot unpack the shared package %s; its function cannot run here", key.key());
    }
  }

  private static String hex(String sha256) {
    return HexFormat.of().formatHex(Base64.getDecoder().decode(sha256));
  }
}
