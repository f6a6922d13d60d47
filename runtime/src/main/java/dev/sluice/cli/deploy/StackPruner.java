package dev.sluice.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.ClientException;
import dev.sluice.cli.client.SluiceClient;
import dev.sluice.template.FunctionResource;
import dev.sluice.template.StreamResource;
import dev.sluice.template.Template;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Removes what a stack's earlier deploys made and its template no longer has, as CloudFormation
 * does when a resource leaves a template: functions (with their mappings) and streams that carry
 * the stack's {@link #STACK} tag. Resources without it (made by hand, by another stack, or before
 * Sluice marked them) are never touched, and a function or stream whose DeletionPolicy was Retain
 * is kept and released from the stack; so is one whose UpdateReplacePolicy was Retain when its
 * logical id is still in the template (under another name: CloudFormation replaces it).
 */
final class StackPruner {

  /** The tag a deploy puts on every function and stream it makes: the stack's name. */
  static final String STACK = "sluice:stack";

  /**
   * On a function or stream whose DeletionPolicy is Retain (or RetainExceptOnCreate): {@code
   * Retain}.
   */
  static final String DELETION_POLICY = "sluice:deletion-policy";

  /**
   * On a function or stream whose UpdateReplacePolicy is Retain: its logical id, so that a later
   * deploy that gives the id another name (a replacement) keeps it rather than deleting it.
   */
  static final String REPLACE_POLICY = "sluice:retain-on-replace";

  /**
   * On every function and stream a stack deploy makes: its logical id, so that a later deploy that
   * gives the id another name replaces it (its UpdateReplacePolicy decides) rather than removing it
   * (its DeletionPolicy would).
   */
  static final String LOGICAL_ID = "sluice:logical-id";

  /** Every mark a stack deploy puts on a resource; a deploy without a stack keeps them as found. */
  static final List<String> MARKS = List.of(STACK, DELETION_POLICY, REPLACE_POLICY, LOGICAL_ID);

  private static final String REPLACED_PREFIX = "replaced (";

  private static final String FUNCTIONS = "/2015-03-31/functions/";
  private static final String TAGS = "/2017-03-31/tags/";

  private final SluiceClient client;
  private final MappingDeployer mappings;

  StackPruner(SluiceClient client, MappingDeployer mappings) {
    this.client = client;
    this.mappings = mappings;
  }

  /** The tags a deploy of {@code stack} puts on a stream besides the template's own. */
  static Map<String, String> streamMarks(StreamResource s, String stack) {
    Map<String, String> marks = new LinkedHashMap<>();
    marks.put(STACK, stack);
    marks.put(LOGICAL_ID, s.logicalId());
    if (s.retain()) {
      marks.put(DELETION_POLICY, "Retain");
    }
    if (s.retainOnReplace()) {
      marks.put(REPLACE_POLICY, s.logicalId());
    }
    return marks;
  }

  /**
   * Deletes the stack's functions and streams that {@code t} no longer has, telling {@code report}
   * of each change as soon as it is made.
   */
  void prune(Template t, java.util.function.Consumer<Change> report) {
    Set<String> functions =
        t.functions().stream().map(FunctionResource::name).collect(Collectors.toSet());
    Set<String> functionIds =
        t.functions().stream().map(FunctionResource::logicalId).collect(Collectors.toSet());
    for (String fn : functionNames()) {
      if (functions.contains(fn)) {
        continue;
      }
      JsonNode f = function(fn);
      JsonNode tags = f == null ? null : f.path("Tags");
      if (tags != null && t.stackName().equals(tags.path(STACK).asText(null))) {
        String kept =
            keptBecause(
                tags.path(DELETION_POLICY).asText(null),
                tags.path(REPLACE_POLICY).asText(null),
                tags.path(LOGICAL_ID).asText(null),
                functionIds);
        removeFunction(fn, f, kept, report);
      }
    }
    Set<String> streams =
        t.streams().stream().map(StreamResource::name).collect(Collectors.toSet());
    Set<String> streamIds =
        t.streams().stream().map(StreamResource::logicalId).collect(Collectors.toSet());
    for (String stream : streamNames()) {
      if (!streams.contains(stream)) {
        Map<String, String> tags = streamTags(stream);
        if (t.stackName().equals(tags.get(STACK))) {
          String kept =
              keptBecause(
                  tags.get(DELETION_POLICY),
                  tags.get(REPLACE_POLICY),
                  tags.get(LOGICAL_ID),
                  streamIds);
          report.accept(removeStream(stream, kept));
        }
      }
    }
  }

  /**
   * Why a resource that left the template is kept, or null when it is deleted. When its logical id
   * ({@code logicalId}; {@code retainedId} on one tagged before that mark was) still names a
   * resource of its type, under another name, it was replaced, and only an UpdateReplacePolicy of
   * Retain ({@code retainedId} set) keeps it: a DeletionPolicy does not apply to a replacement, and
   * the old function kept with its mappings would have every record processed twice. Else it was
   * removed, and its DeletionPolicy decides.
   */
  private static String keptBecause(
      String deletion, String retainedId, String logicalId, Set<String> ids) {
    String id = logicalId != null ? logicalId : retainedId;
    if (id != null && ids.contains(id)) {
      return retainedId == null
          ? null
          : REPLACED_PREFIX + id + " names another now); kept, as its UpdateReplacePolicy is";
    }
    if ("Retain".equals(deletion)) {
      return "no longer in the template; kept, as its DeletionPolicy is";
    }
    return null;
  }

  /**
   * Deletes a function the stack no longer has, with its mappings; one whose DeletionPolicy was
   * Retain keeps running as it is, mappings included, and only leaves the stack.
   */
  private void removeFunction(
      String fn, JsonNode f, String kept, java.util.function.Consumer<Change> report) {
    String resource = "function " + fn;
    if (kept != null && kept.startsWith(REPLACED_PREFIX)) {
      // the new function's mappings read what these did (CloudFormation moves the mappings, which
      // keep their logical ids): kept, they would have every record processed twice
      mappings.deleteAll(fn, report);
    }
    if (kept != null) {
      String arn = f.path("Configuration").path("FunctionArn").asText();
      String untag =
          TAGS
              + SluiceClient.encode(arn)
              + MARKS.stream()
                  .map(k -> "tagKeys=" + SluiceClient.encode(k))
                  .collect(Collectors.joining("&", "?", ""));
      client.rest("DELETE", untag, null);
      report.accept(
          new Change(
              Change.Action.SKIPPED,
              resource,
              kept
                  + (kept.startsWith(REPLACED_PREFIX)
                      ? " Retain, without its event-source mappings (the new function has them),"
                      : " Retain, with its event-source mappings,")
                  + " and is no longer part of the stack"));
      return;
    }
    mappings.deleteAll(fn, report);
    client.rest("DELETE", FUNCTIONS + SluiceClient.encode(fn), null);
    report.accept(new Change(Change.Action.DELETED, resource, "no longer in the template"));
  }

  private Change removeStream(String stream, String kept) {
    String resource = "stream " + stream;
    if (kept != null) {
      ObjectNode body = named(stream);
      ArrayNode keys = body.putArray("TagKeys");
      MARKS.forEach(keys::add);
      client.kinesis("RemoveTagsFromStream", body);
      return new Change(
          Change.Action.SKIPPED, resource, kept + " Retain, and is no longer part of the stack");
    }
    client.kinesis("DeleteStream", named(stream).put("EnforceConsumerDeletion", true));
    return new Change(Change.Action.DELETED, resource, "no longer in the template");
  }

  private List<String> functionNames() {
    List<String> names = new ArrayList<>();
    String marker = null;
    do {
      Map<String, String> q = new HashMap<>();
      q.put("Marker", marker);
      JsonNode page = client.rest("GET", SluiceClient.query(FUNCTIONS, q), null);
      page.path("Functions").forEach(f -> names.add(f.path("FunctionName").asText()));
      marker = page.path("NextMarker").asText(null);
    } while (marker != null);
    return names;
  }

  /** GetFunction's answer for {@code function}, or null when it was deleted meanwhile. */
  private JsonNode function(String function) {
    try {
      return client.rest("GET", FUNCTIONS + SluiceClient.encode(function), null);
    } catch (ClientException e) {
      if (e.notFound()) {
        return null;
      }
      throw e;
    }
  }

  private List<String> streamNames() {
    List<String> names = new ArrayList<>();
    boolean more = true;
    while (more) {
      ObjectNode body = SluiceClient.object().put("Limit", 100);
      if (!names.isEmpty()) {
        body.put("ExclusiveStartStreamName", names.get(names.size() - 1));
      }
      JsonNode page = client.kinesis("ListStreams", body);
      page.path("StreamNames").forEach(n -> names.add(n.asText()));
      more = page.path("HasMoreStreams").asBoolean(false) && page.path("StreamNames").size() > 0;
    }
    return names;
  }

  private Map<String, String> streamTags(String stream) {
    Map<String, String> tags = new HashMap<>();
    try {
      // every page: the template's 50 tags can sort before the stack's marks
      tags.putAll(StreamDeployer.tagsOf(client, stream));
    } catch (ClientException e) {
      if (!e.notFound()) {
        throw e;
      }
    }
    return tags;
  }

  private static ObjectNode named(String stream) {
    return SluiceClient.object().put("StreamName", stream);
  }
}
