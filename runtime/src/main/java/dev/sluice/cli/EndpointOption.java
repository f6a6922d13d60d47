package dev.sluice.cli;

import dev.sluice.cli.client.SluiceClient;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The {@code --endpoint} option shared by every subcommand that talks to a running server. */
final class EndpointOption {

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description = "The Sluice server (default: $SLUICE_ENDPOINT or ${DEFAULT-VALUE}).",
      defaultValue = "${env:SLUICE_ENDPOINT:-http://127.0.0.1:4566}",
      converter = UrlConverter.class)
  URI endpoint;

  SluiceClient client() {
    return new SluiceClient(endpoint);
  }

  /**
   * Accepts an http or https URL with a host and no path. Anything else ({@code foo}, {@code
   * 127.0.0.1:4566}) is a usage error (exit code 2) saying what is expected, not a stack trace from
   * deep in the HTTP client.
   */
  static final class UrlConverter implements ITypeConverter<URI> {
    @Override
    public URI convert(String value) {
      URI uri;
      try {
        uri = new URI(value.endsWith("/") ? value : value + "/");
      } catch (URISyntaxException e) {
        uri = null;
      }
      String scheme = uri == null ? null : uri.getScheme();
      if (scheme == null
          || !List.of("http", "https").contains(scheme.toLowerCase(Locale.ROOT))
          || uri.getHost() == null) {
        throw new TypeConversionException(
            "expected an http:// or https:// URL with a host, such as http://127.0.0.1:4566,"
                + " but was '"
                + value
                + "'");
      }
      if (!uri.getRawPath().equals("/") || uri.getRawQuery() != null || uri.getFragment() != null) {
        // Sluice's APIs live at the server's root, as AWS's do at an endpoint's: a path given
        // here was dropped from every request, which then reached whatever else the host serves
        throw new TypeConversionException(
            "expected a server's root URL, without a path, such as http://127.0.0.1:4566, but was"
                + " '"
                + value
                + "'");
      }
      return uri;
    }
  }
}
