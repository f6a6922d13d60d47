package dev.sluice.node;

import io.quarkus.runtime.LaunchMode;
import org.eclipse.microprofile.config.ConfigProvider;

/** This node's own HTTP address, as the functions it runs should call it. */
final class NodeEndpoint {

  private NodeEndpoint() {}

  /**
   * The URL of the listening HTTP server. Read late: with port 0 (tests) the real port is known
   * only once the server listens, and Quarkus then publishes it as a system property.
   */
  static String url() {
    String key =
        LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port";
    String port = System.getProperty(key);
    if (port == null) {
      port = ConfigProvider.getConfig().getOptionalValue(key, String.class).orElse("4566");
    }
    String host =
        ConfigProvider.getConfig()
            .getOptionalValue("quarkus.http.host", String.class)
            .orElse("127.0.0.1");
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("localhost")) {
      host = "127.0.0.1";
    }
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
