package dev.sluice.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small client for a running Sluice server: Kinesis's JSON protocol, Lambda's REST API and
 * Sluice's extensions. The CLI talks to servers only through this class, so every subcommand works
 * against any node, local or not, exactly as the AWS CLI would.
 */
public final class SluiceClient {

  /** The JSON mapper the client reads and writes with. */
  public static final ObjectMapper JSON = new ObjectMapper();

  private static final String KINESIS_TARGET = "Kinesis_20131202.";
  private final URI endpoint;
  private final HttpClient http;

  /** A client for the server at {@code endpoint}, such as {@code http://127.0.0.1:4566}. */
  public SluiceClient(URI endpoint) {
    this.endpoint = endpoint;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** The server's address. */
  public URI endpoint() {
    return endpoint;
  }

  /** Whether a server answers and reports itself ready. */
  public boolean ready() {
    try {
      HttpResponse<String> r = send(get("/q/health/ready"), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    } catch (ClientException e) {
      return false;
    }
  }

  /** A new JSON object for a request body. */
  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** Calls a Kinesis operation (JSON protocol) and returns its answer. */
  public JsonNode kinesis(String operation, ObjectNode body) {
    HttpRequest req =
        HttpRequest.newBuilder(endpoint.resolve("/"))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/x-amz-json-1.1")
            .header("X-Amz-Target", KINESIS_TARGET + operation)
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    return json(send(req, HttpResponse.BodyHandlers.ofByteArray()), "__type");
  }

  /** Calls a REST operation (Lambda's API or a Sluice extension) with an optional JSON body. */
  public JsonNode rest(String method, String path, JsonNode body) {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.toString());
    HttpRequest req =
        HttpRequest.newBuilder(endpoint.resolve(path))
            .timeout(Duration.ofSeconds(120))
            .header("Content-Type", "application/json")
            .method(method, publisher)
            .build();
    return json(send(req, HttpResponse.BodyHandlers.ofByteArray()), "Type");
  }

  /** Invokes a function synchronously and returns the raw response, headers included. */
  public HttpResponse<byte[]> invoke(String function, byte[] payload) {
    HttpRequest req =
        HttpRequest.newBuilder(
                endpoint.resolve("/2015-03-31/functions/" + encode(function) + "/invocations"))
            .timeout(Duration.ofMinutes(16))
            .header("X-Amz-Log-Type", "Tail")
            .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
            .build();
    HttpResponse<byte[]> r = send(req, HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() >= 300) {
      json(r, "Type");
    }
    return r;
  }

  /** Percent-encodes a path segment or query value. */
  public static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Every event-source mapping, or only those of {@code function} (null for all), reading every
   * page: the server pages ListEventSourceMappings as Lambda does.
   */
  public List<JsonNode> mappings(String function) {
    List<JsonNode> out = new ArrayList<>();
    String marker = null;
    do {
      Map<String, String> q = new LinkedHashMap<>();
      q.put("FunctionName", function);
      q.put("Marker", marker);
      JsonNode r = rest("GET", query("/2015-03-31/event-source-mappings", q), null);
      r.path("EventSourceMappings").forEach(out::add);
      marker = r.hasNonNull("NextMarker") ? r.get("NextMarker").asText() : null;
    } while (marker != null);
    return out;
  }

  /** Builds {@code path?k=v&...} with encoded values. */
  public static String query(String path, Map<String, String> params) {
    StringBuilder sb = new StringBuilder(path);
    char sep = '?';
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (e.getValue() != null) {
        sb.append(sep).append(e.getKey()).append('=').append(encode(e.getValue()));
        sep = '&';
      }
    }
    return sb.toString();
  }

  private HttpRequest get(String path) {
    return HttpRequest.newBuilder(endpoint.resolve(path)).timeout(Duration.ofSeconds(5)).build();
  }

  private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(req, handler);
    } catch (ConnectException e) {
      throw new ServerUnavailableException(endpoint.toString(), e);
    } catch (IOException e) {
      if (e.getCause() instanceof ConnectException) {
        throw new ServerUnavailableException(endpoint.toString(), e);
      }
      throw new ClientException(req.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientException("interrupted", e);
    }
  }

  private static JsonNode json(HttpResponse<byte[]> r, String typeField) {
    JsonNode body = parse(r.body());
    if (body == null) {
      // Every answer of a Sluice server is JSON: this is another server (a web page, a proxy's
      // error), whose whole page would bury the point.
      String text = new String(r.body(), StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
      throw new ClientException(
          "HTTP " + r.statusCode() + " from " + r.uri(),
          "not a Sluice server? check --endpoint"
              + (text.isEmpty() ? "" : " (it answered: " + cut(text, 200) + ")"),
          r.statusCode());
    }
    if (r.statusCode() < 300) {
      return body;
    }
    String type = r.headers().firstValue("x-amzn-ErrorType").orElse(body.path(typeField).asText());
    if (type.isEmpty() || "User".equals(type)) {
      type = "HTTP " + r.statusCode();
    }
    String message = body.path("message").asText(body.path("Message").asText(""));
    throw new ClientException(type.replaceFirst(".*#", ""), message, r.statusCode());
  }

  /** The JSON body of an answer, empty for none, null when it is not JSON. */
  private static JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode node = JSON.readTree(body);
      // Sluice answers with objects; "404 page not found" would otherwise read as the number 404.
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String cut(String s, int max) {
    return s.length() > max ? s.substring(0, max) + "..." : s;
  }
}
