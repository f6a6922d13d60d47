package dev.sluice.mapper;

import java.util.Map;

/**
 * A KinesisEvent handler that answers with a description of everything its event exposes: every
 * getter of every object, recursively, with exact values (characters as hex, ByteBuffer state and
 * bytes, Date milliseconds), so two deliveries can be compared field for field.
 */
final class DescribeHandler {

  private DescribeHandler() {}

  static final Map<String, String> SOURCES =
      Map.of(
          "fixture.Describe",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
          import java.lang.reflect.Method;
          import java.nio.ByteBuffer;
          import java.util.*;
          public class Describe implements RequestHandler<KinesisEvent, String> {
            public String handleRequest(KinesisEvent event, Context ctx) {
              StringBuilder out = new StringBuilder();
              describe(event, out);
              out.append("\\ntoString=").append(text(event.toString()));
              return out.toString();
            }
            static void describe(Object o, StringBuilder out) {
              if (o == null) { out.append("null"); return; }
              if (o instanceof String s) { out.append(text(s)); return; }
              if (o instanceof Date d) { out.append("Date(").append(d.getTime()).append(')'); return; }
              if (o instanceof ByteBuffer b) { buffer(b, out); return; }
              if (o instanceof List<?> l) {
                out.append(o.getClass().getName()).append('[');
                for (Object e : l) { describe(e, out); out.append(",\\n"); }
                out.append(']');
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
            static void buffer(ByteBuffer b, StringBuilder out) {
              out.append(b.getClass().getName()).append("(pos=").append(b.position())
                  .append(",lim=").append(b.limit()).append(",cap=").append(b.capacity())
                  .append(",ro=").append(b.isReadOnly()).append(",direct=").append(b.isDirect())
                  .append(",order=").append(b.order()).append(",array=").append(b.hasArray());
              if (b.hasArray()) {
                out.append(",offset=").append(b.arrayOffset()).append(",bytes=");
                for (byte x : b.array()) out.append(String.format("%02x", x));
              }
              out.append(')');
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
