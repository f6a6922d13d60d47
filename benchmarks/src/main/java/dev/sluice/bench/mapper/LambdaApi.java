package dev.sluice.bench.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The few Lambda REST calls the mapper benchmark makes (create/delete function and event-source
 * mapping, Sluice's mapping status), over plain HTTP with JSON.
 */
public final class LambdaApi {

  static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** A client of the server at {@code endpoint}. */
  public LambdaApi(URI endpoint) {
    this.endpoint = endpoint;
  }

  /**
   * The jar (or directory) the handler classes were loaded from: with the shaded benchmarks jar it
   * holds the handlers, aws-lambda-java-events and joda-time, so it is deployable as it is.
   */
  public static Path handlerCode() {
    try {
      Path own =
          Path.of(LambdaApi.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path events =
          Path.of(
              com.amazonaws.services.lambda.runtime.events.KinesisEvent.class
                  .getProtectionDomain()
                  .getCodeSource()
                  .getLocation()
                  .toURI());
      if (!own.equals(events)) {
        throw new IllegalStateException(
            "run the mapper benchmark from the shaded jar (benchmarks/target/sluice-benchmarks.jar):"
                + " the handlers are deployed from it");
      }
      return own.toAbsolutePath();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates a java17 function from local code (the local-path extension). */
  public void createFunction(String name, String handler, Path code) {
    ObjectNode b = JSON.createObjectNode();
    b.put("FunctionName", name)
        .put("Runtime", "java17")
        .put("Role", "arn:aws:iam::000000000000:role/bench")
        .put("Handler", handler)
        .put("Timeout", 60)
        .put("MemorySize", 1024);
    b.putObject("Code").put("S3Bucket", "sluice-local").put("S3Key", code.toString());
    call("POST", "/2015-03-31/functions", b, 201);
  }

  /** Deletes a function. */
  public void deleteFunction(String name) {
    call("DELETE", "/2015-03-31/functions/" + name, null, 204);
  }

  /** Creates a mapping; returns its UUID. */
  String createMapping(
      String function, String streamArn, String startingPosition, int batchSize, int window) {
    ObjectNode b = JSON.createObjectNode();
    b.put("FunctionName", function)
        .put("EventSourceArn", streamArn)
        .put("StartingPosition", startingPosition)
        .put("BatchSize", batchSize)
        .put("MaximumBatchingWindowInSeconds", window);
    return call("POST", "/2015-03-31/event-source-mappings/", b, 202).get("UUID").asText();
  }

  /**
   * Creates a SelfManagedKafka mapping from TRIM_HORIZON with no batching window; returns its UUID.
   */
  public String createKafkaMapping(
      String function, String bootstrap, String topic, String group, int batchSize) {
    ObjectNode b = JSON.createObjectNode();
    b.put("FunctionName", function)
        .put("StartingPosition", "TRIM_HORIZON")
        .put("BatchSize", batchSize)
        .put("MaximumBatchingWindowInSeconds", 0);
    b.putObject("SelfManagedEventSource")
        .putObject("Endpoints")
        .putArray("KAFKA_BOOTSTRAP_SERVERS")
        .add(bootstrap);
    b.putArray("Topics").add(topic);
    b.putObject("SelfManagedKafkaEventSourceConfig").put("ConsumerGroupId", group);
    return call("POST", "/2015-03-31/event-source-mappings/", b, 202).get("UUID").asText();
  }

  /** Deletes a mapping. */
  public void deleteMapping(String uuid) {
    call("DELETE", "/2015-03-31/event-source-mappings/" + uuid, null, 202);
  }

  /** Whether mapping {@code uuid} still exists (a deleted one is gone once it has stopped). */
  public boolean mappingExists(String uuid) {
    HttpRequest req =
        HttpRequest.newBuilder(endpoint.resolve("/2015-03-31/event-source-mappings/" + uuid))
            .timeout(Duration.ofSeconds(60))
            .GET()
            .build();
    try {
      int status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status != 200 && status != 404) {
        throw new IllegalStateException("GET mapping " + uuid + " -> " + status);
      }
      return status == 200;
    } catch (IOException e) {
      throw new IllegalStateException("GET mapping " + uuid + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Sluice's status view of a mapping ({@code RecordsProcessed}, {@code State}, checkpoints). */
  public JsonNode status(String uuid) {
    return call("GET", "/sluice/v1/event-source-mappings/" + uuid, null, 200);
  }

  /** The lines of the server's Prometheus metrics that start with {@code prefix}. */
  List<String> metrics(String prefix) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(endpoint.resolve("/q/metrics"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.body().lines().filter(l -> l.startsWith(prefix)).toList();
    } catch (IOException e) {
      return List.of("(metrics unavailable: " + e + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  /** Deletes and reports rather than throws (clean-up). */
  public void quietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      System.err.println("clean-up: " + e.getMessage());
    }
  }

  private JsonNode call(String method, String path, JsonNode body, int expected) {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(endpoint.resolve(path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json");
    req.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.toString()));
    try {
      HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            method + " " + path + " -> " + r.statusCode() + " " + r.body());
      }
      return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
