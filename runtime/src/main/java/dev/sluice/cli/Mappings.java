package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.ClientException;
import dev.sluice.cli.client.SluiceClient;
import java.util.ArrayList;
import java.util.List;

/** Reads event-source mappings and their status from a server. */
final class Mappings {

  private Mappings() {}

  /** Every mapping, optionally only those of one function. */
  static List<JsonNode> list(SluiceClient client, String function) {
    return client.mappings(function);
  }

  /** Sluice's status view of one mapping: configuration, progress and per-shard figures. */
  static JsonNode status(SluiceClient client, String uuid) {
    return client.rest(
        "GET", "/sluice/v1/event-source-mappings/" + SluiceClient.encode(uuid), null);
  }

  /**
   * The status views of {@code function}'s mappings (all with null); one deleted between the list
   * and its status (a deploy pruning it) is left out rather than failing the whole table.
   */
  static List<JsonNode> statuses(SluiceClient client, String function) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode m : list(client, function)) {
      try {
        out.add(status(client, m.path("UUID").asText()));
      } catch (ClientException e) {
        if (!e.notFound()) {
          throw e;
        }
      }
    }
    return out;
  }

  /** Shortest prefix taken: fewer characters name a mapping by accident, not by choice. */
  static final int MIN_PREFIX = 4;

  /** The UUID a full id or a unique prefix of at least {@value #MIN_PREFIX} characters names. */
  static String resolve(SluiceClient client, String idOrPrefix) {
    if (idOrPrefix.length() < MIN_PREFIX) {
      // '' is a prefix of every UUID: with one mapping, 'rewind "$UNSET" ...' would rewind it.
      throw new CliException(
          "a mapping id or prefix needs at least "
              + MIN_PREFIX
              + " characters, not '"
              + idOrPrefix
              + "' (see './sluice mappings')",
          2);
    }
    List<String> matches = new ArrayList<>();
    for (JsonNode m : list(client, null)) {
      String uuid = m.path("UUID").asText();
      if (uuid.equals(idOrPrefix)) {
        return uuid;
      }
      if (uuid.startsWith(idOrPrefix)) {
        matches.add(uuid);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    throw new CliException(
        matches.isEmpty()
            ? "no mapping " + idOrPrefix + " (see './sluice mappings')"
            : "'" + idOrPrefix + "' matches " + matches.size() + " mappings: " + matches);
  }

  /** The last part of an ARN: a stream or function name. */
  /** What a mapping reads, shortly: the stream's name, or {@code kafka:topic}. */
  static String source(JsonNode mapping) {
    JsonNode topics = mapping.path("Topics");
    if (topics.isArray() && !topics.isEmpty()) {
      return "kafka:" + topics.get(0).asText();
    }
    return shortName(mapping.path("EventSourceArn").asText());
  }

  static String shortName(String arn) {
    int slash = arn.lastIndexOf('/');
    int colon = arn.lastIndexOf(':');
    return arn.substring(Math.max(slash, colon) + 1);
  }
}
