package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code --endpoint} must name a Sluice server; mistakes say so in one line. */
class EndpointOptionTest {

  @Test
  void endpoint_noScheme_usageErrorWithoutATrace() {
    for (String bad :
        new String[] {"foo", "127.0.0.1:4566", "localhost:4566", "http://", "ftp://h"}) {
      Cli.Result r = Cli.run("", "mappings", "--endpoint", bad);

      assertThat(r.exit()).as(bad).isEqualTo(2);
      assertThat(r.err())
          .as(bad)
          .contains("Invalid value for option '--endpoint'")
          .contains("expected an http:// or https:// URL with a host")
          .contains("'" + bad + "'")
          .doesNotContain("\tat ");
    }
  }

  @Test
  void endpoint_withAPath_usageErrorInsteadOfDroppingIt() {
    for (String bad :
        new String[] {"http://127.0.0.1:1/sluice", "http://127.0.0.1:1/sluice/", "http://h/?a=b"}) {
      Cli.Result r = Cli.run("", "mappings", "--endpoint", bad);

      assertThat(r.exit()).as(bad).isEqualTo(2);
      assertThat(r.err()).as(bad).contains("without a path").contains("'" + bad + "'");
    }
  }

  @Test
  void endpoint_withOrWithoutTrailingSlash_sameServer() {
    EndpointOption.UrlConverter c = new EndpointOption.UrlConverter();

    assertThat(c.convert("http://127.0.0.1:4566")).isEqualTo(c.convert("http://127.0.0.1:4566/"));
    assertThat(c.convert("HTTPS://sluice.example").getHost()).isEqualTo("sluice.example");
  }

  @Test
  void endpoint_answeringHtml_saysNotASluiceServerWithThePageCut() throws Exception {
    String page = "<html><body>" + "<p>Not Found</p>\n".repeat(500) + "</body></html>";
    HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    web.createContext(
        "/",
        ex -> {
          byte[] b = page.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "text/html");
          ex.sendResponseHeaders(404, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    web.start();
    try {
      String url = "http://127.0.0.1:" + web.getAddress().getPort();

      Cli.Result r = Cli.run("", "mappings", "--endpoint", url);

      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err())
          .startsWith(
              "sluice: HTTP 404 from "
                  + url
                  + "/2015-03-31/event-source-mappings: not a Sluice server? check --endpoint")
          .contains("<p>Not Found</p>");
      assertThat(r.err().length()).isLessThan(500);
    } finally {
      web.stop(0);
    }
  }

  @Test
  void endpoint_answeringPlainText_saysNotASluiceServer() throws Exception {
    HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    web.createContext(
        "/",
        ex -> {
          byte[] b = "404 page not found".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(404, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    web.start();
    try {
      Cli.Result r =
          Cli.run("", "tail", "s", "--endpoint", "http://127.0.0.1:" + web.getAddress().getPort());

      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err()).contains("not a Sluice server? check --endpoint (it answered: 404 page");
    } finally {
      web.stop(0);
    }
  }
}
