package dev.sluice.mapper.kafka;

import java.util.Map;

/**
 * A KafkaEvent handler that answers with a description of everything its event exposes: every
 * getter of every object, recursively, with exact values and the classes of the collections
 * (characters as hex, byte arrays as hex), so two deliveries can be compared field for field.
 */
final class KafkaDescribeHandler {

  private KafkaDescribeHandler() {}

  static final Map<String, String> SOURCES =
      Map.of(
          "fixture.KafkaDescribe",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
          import java.lang.reflect.Method;
          import java.util.*;
          public class KafkaDescribe implements RequestHandler<KafkaEvent, String> {
            public String handleRequest(KafkaEvent event, Context ctx) {
              StringBuilder out = new StringBuilder();
              describe(event, out);
              return out.toString();
            }
            static void describe(Object o, StringBuilder out) {
              if (o == null) { out.append("null"); return; }
              if (o instanceof String s) { out.append(text(s)); return; }
              if (o instanceof byte[] b) {
                out.append("bytes(");
                for (byte x : b) out.append(String.format("%02x", x));
                out.append(')');
                return;
              }
              if (o instanceof List<?> l) {
                out.append(o.getClass().getName()).append('[');
                for (Object e : l) { describe(e, out); out.append(",\\n"); }
                out.append(']');
                return;
              }
              if (o instanceof Map<?, ?> m) {
                out.append(o.getClass().getName()).append('{');
                for (Map.Entry<?, ?> e : m.entrySet()) {
                  describe(e.getKey(), out); out.append('='); describe(e.getValue(), out); out.append(";\\n");
                }
                out.append('}');
                return;
              }
              if (!o.getClass().getName().startsWith("com.amazonaws.")) {
                out.append(o.getClass().getName()).append(':').append(text(String.valueOf(o)));
                return;
              }
              out.append(o.getClass().getName()).append('{');
              Method[] methods = o.getClass().getMethods();
              Arrays.sort(methods, Comparator.comparing(Method::getName));
              for (Method m : methods) {
                boolean getter = m.getName().startsWith("get") || m.getName().startsWith("is");
                if (!getter || m.getParameterCount() != 0 || m.getName().equals("getClass")) continue;
                out.append(m.getName()).append('=');
                try { describe(m.invoke(o), out); } catch (Exception e) { out.append("threw ").append(e); }
                out.append(';');
              }
              out.append('}');
            }
            static String text(String s) {
              StringBuilder t = new StringBuilder("\\"");
              for (char c : s.toCharArray()) {
                if (c >= 0x20 && c < 0x7f && c != '\\\\') t.append(c); else t.append(String.format("\\\\u%04x", (int) c));
              }
              return t.append('"').toString();
            }
          }
          """);
}
