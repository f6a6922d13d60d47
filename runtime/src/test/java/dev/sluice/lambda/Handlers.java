package dev.sluice.lambda;

import java.util.Map;

/** Sources of the handlers the Lambda API tests deploy. */
final class Handlers {

  private Handlers() {}

  static final Map<String, String> ECHO =
      Map.of(
          "fixture.Echo",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import java.util.HashMap;
          import java.util.Map;
          public class Echo implements RequestHandler<Map<String, Object>, Map<String, Object>> {
            static final long LOADED = System.nanoTime();
            public Map<String, Object> handleRequest(Map<String, Object> in, Context ctx) {
              ctx.getLogger().log("echoing " + in.size() + " fields");
              System.out.println("printed to stdout");
              Map<String, Object> out = new HashMap<>(in);
              out.put("function", ctx.getFunctionName());
              out.put("requestId", ctx.getAwsRequestId());
              out.put("memory", ctx.getMemoryLimitInMB());
              out.put("remainingPositive", ctx.getRemainingTimeInMillis() > 0);
              out.put("loaded", LOADED);
              out.put("version", "v1");
              return out;
            }
          }
          """);

  /** Answers the ARN it was invoked by. */
  static final Map<String, String> ARN =
      Map.of(
          "fixture.Arn",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import java.util.Map;
          public class Arn implements RequestHandler<Map<String, Object>, String> {
            public String handleRequest(Map<String, Object> in, Context ctx) {
              return ctx.getInvokedFunctionArn();
            }
          }
          """);

  static final Map<String, String> ECHO_V2 =
      Map.of(
          "fixture.Echo",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import java.util.Map;
          public class Echo implements RequestHandler<Map<String, Object>, Map<String, Object>> {
            public Map<String, Object> handleRequest(Map<String, Object> in, Context ctx) {
              if (in.containsKey("startedFile")) { // for a test to know the call is running
                try { java.nio.file.Files.createFile(java.nio.file.Path.of((String) in.get("startedFile"))); }
                catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
              }
              if (in.containsKey("sleepMs")) {
                try { Thread.sleep(((Number) in.get("sleepMs")).longValue()); } catch (InterruptedException e) { }
              }
              return Map.of("version", "v2");
            }
          }
          """);

  static final Map<String, String> SLOW =
      Map.of(
          "fixture.Slow",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import java.util.Map;
          public class Slow {
            public String handle(Map<String, Object> in, Context ctx) {
              if (in.containsKey("startedFile")) { // for a test to know the call is running
                try { java.nio.file.Files.createFile(java.nio.file.Path.of((String) in.get("startedFile"))); }
                catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
              }
              long until = System.currentTimeMillis() + ((Number) in.get("sleepMs")).longValue();
              while (System.currentTimeMillis() < until) {
                try { Thread.sleep(10); } catch (InterruptedException ignored) { }
              }
              return "slept";
            }
            public String handle(Map<String, Object> in) { return "wrong overload"; }
          }
          """);

  static final Map<String, String> FAILING =
      Map.of(
          "fixture.Failing",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          public class Failing implements RequestHandler<String, String> {
            public String handleRequest(String in, Context ctx) {
              throw new IllegalStateException("boom: " + in);
            }
          }
          """);

  static final Map<String, String> KINESIS =
      Map.of(
          "fixture.KinesisReader",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
          import java.nio.charset.StandardCharsets;
          import java.util.ArrayList;
          import java.util.List;
          public class KinesisReader implements RequestHandler<KinesisEvent, List<String>> {
            public List<String> handleRequest(KinesisEvent event, Context ctx) {
              List<String> out = new ArrayList<>();
              for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
                out.add(StandardCharsets.UTF_8.decode(r.getKinesis().getData()).toString()
                    + "|" + r.getKinesis().getApproximateArrivalTimestamp().getTime()
                    + "|" + r.getKinesis().getPartitionKey()
                    + "|" + r.getEventSourceARN());
              }
              return out;
            }
          }
          """);

  /** Echoes the ClientContext it got: {"present": false} without one. */
  static final Map<String, String> CLIENT_CONTEXT =
      Map.of(
          "fixture.ClientContextEcho",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Client;
          import com.amazonaws.services.lambda.runtime.ClientContext;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import java.util.Map;
          import java.util.TreeMap;
          public class ClientContextEcho implements RequestHandler<Map<String, Object>, Map<String, Object>> {
            public Map<String, Object> handleRequest(Map<String, Object> in, Context ctx) {
              Map<String, Object> out = new TreeMap<>();
              ClientContext cc = ctx.getClientContext();
              out.put("present", cc != null);
              if (cc != null) {
                Client c = cc.getClient();
                if (c != null) {
                  Map<String, String> client = new TreeMap<>();
                  client.put("installationId", String.valueOf(c.getInstallationId()));
                  client.put("appTitle", String.valueOf(c.getAppTitle()));
                  client.put("appVersionName", String.valueOf(c.getAppVersionName()));
                  client.put("appVersionCode", String.valueOf(c.getAppVersionCode()));
                  client.put("appPackageName", String.valueOf(c.getAppPackageName()));
                  out.put("client", client);
                }
                out.put("custom", cc.getCustom() == null ? "none" : cc.getCustom());
                out.put("environment", cc.getEnvironment() == null ? "none" : cc.getEnvironment());
              }
              return out;
            }
          }
          """);

  static final Map<String, String> STREAM =
      Map.of(
          "fixture.Upper",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
          import java.io.*;
          public class Upper implements RequestStreamHandler {
            public void handleRequest(InputStream in, OutputStream out, Context ctx) throws IOException {
              out.write(new String(in.readAllBytes()).toUpperCase().getBytes());
            }
          }
          """);
}
