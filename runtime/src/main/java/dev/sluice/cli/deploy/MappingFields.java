package dev.sluice.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.SluiceClient;
import dev.sluice.mapper.MappingRequest;
import java.util.List;

/**
 * A mapping's updatable settings in Lambda's wire names, with Lambda's defaults filled in, so that
 * what a template asks for and what the server reports compare field by field.
 */
final class MappingFields {

  private MappingFields() {}

  /** The settings a template's event asks for. */
  static ObjectNode wanted(MappingRequest r) {
    ObjectNode n = SluiceClient.object();
    n.put("BatchSize", or(r.batchSize(), 100));
    n.put("MaximumBatchingWindowInSeconds", or(r.maxBatchingWindowSeconds(), 0));
    n.put("ParallelizationFactor", or(r.parallelizationFactor(), 1));
    n.put("BisectBatchOnFunctionError", r.bisectOnError() != null && r.bisectOnError());
    n.put("MaximumRetryAttempts", or(r.maxRetryAttempts(), -1));
    n.put("MaximumRecordAgeInSeconds", or(r.maxRecordAgeSeconds(), -1));
    n.put("TumblingWindowInSeconds", or(r.tumblingWindowSeconds(), 0));
    strings(n.putArray("FunctionResponseTypes"), r.functionResponseTypes());
    strings(n.putArray("Filters"), r.filterPatterns());
    n.put("Destination", r.onFailure() == null ? "" : r.onFailure());
    n.put("Enabled", r.enabled() == null || r.enabled());
    n.put(
        "SluiceFailureRecordFormat",
        Boolean.TRUE.equals(r.metadataOnlyFailures()) ? "Lambda" : "Sluice");
    return n;
  }

  /** The same settings from a GetEventSourceMapping answer. */
  static ObjectNode current(JsonNode m) {
    ObjectNode n = SluiceClient.object();
    for (String f :
        List.of(
            "BatchSize",
            "MaximumBatchingWindowInSeconds",
            "ParallelizationFactor",
            "BisectBatchOnFunctionError",
            "MaximumRetryAttempts",
            "MaximumRecordAgeInSeconds",
            "TumblingWindowInSeconds")) {
      n.set(f, m.path(f));
    }
    n.set("FunctionResponseTypes", m.path("FunctionResponseTypes"));
    ArrayNode filters = n.putArray("Filters");
    m.path("FilterCriteria").path("Filters").forEach(f -> filters.add(f.path("Pattern").asText()));
    n.put(
        "Destination",
        m.path("DestinationConfig").path("OnFailure").path("Destination").asText(""));
    if (m.has("SluiceFailureRecordFormat")) {
      n.set("SluiceFailureRecordFormat", m.get("SluiceFailureRecordFormat"));
    }
    String state = m.path("State").asText();
    n.put(
        "Enabled", state.equals("Enabled") || state.equals("Enabling") || state.equals("Creating"));
    return n;
  }

  /** Turns compared settings back into an Update/CreateEventSourceMapping body. */
  static ObjectNode body(ObjectNode fields) {
    ObjectNode b = fields.deepCopy();
    String destination = b.remove("Destination").asText();
    ObjectNode onFailure = b.putObject("DestinationConfig").putObject("OnFailure");
    if (!destination.isEmpty()) {
      onFailure.put("Destination", destination);
    }
    JsonNode patterns = b.remove("Filters");
    ArrayNode filters = b.putObject("FilterCriteria").putArray("Filters");
    patterns.forEach(p -> filters.addObject().put("Pattern", p.asText()));
    return b;
  }

  private static int or(Integer v, int dflt) {
    return v == null ? dflt : v;
  }

  private static void strings(ArrayNode into, List<String> values) {
    if (values != null) {
      values.forEach(into::add);
    }
  }
}
