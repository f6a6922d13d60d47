package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.SluiceClient;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** Prints a stream's records as they arrive, across every shard and through reshards. */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    description = {
      "Print a stream's records as they arrive.",
      "Each line is: shard, sequence number, partition key, data (UTF-8, or base64 when binary)."
    })
final class TailCommand implements Callable<Integer> {

  enum From {
    TRIM_HORIZON,
    LATEST;
  }

  enum Format {
    TEXT,
    DATA,
    JSON;
  }

  @Mixin EndpointOption endpoint;

  @Parameters(index = "0", description = "The stream name.")
  String stream;

  @Option(
      names = "--from",
      paramLabel = "trim-horizon|latest",
      converter = FromConverter.class,
      description = "Start at the oldest record or only show new ones (default: latest).")
  From from = From.LATEST;

  @Option(
      names = "--format",
      paramLabel = "text|data|json",
      converter = FormatConverter.class,
      description = "text (default), data (the data alone) or json (one object a line).")
  Format format = Format.TEXT;

  @Option(
      names = "--limit",
      paramLabel = "N",
      converter = Numbers.Count.class,
      description = "Stop after N records (N >= 1).")
  long limit = Long.MAX_VALUE;

  @Option(
      names = "--no-follow",
      description = "Stop once every shard is caught up instead of waiting for more.")
  boolean noFollow;

  @Override
  public Integer call() throws InterruptedException {
    SluiceClient client = endpoint.client();
    ShardCursors cursors = ShardCursors.open(client, stream, from == From.TRIM_HORIZON);
    long printed = 0;
    while (printed < limit) {
      ShardCursors.Poll poll = cursors.poll();
      for (JsonNode r : poll.records()) {
        System.out.println(line(format, poll.shardId(), r));
        if (++printed >= limit) {
          break;
        }
      }
      // A PrintStream swallows the IOException of a closed pipe ('tail s | head -2'); without
      // this check a following tail would read on for ever with nobody reading its output.
      if (System.out.checkError()) {
        return 0;
      }
      if (poll.idleRound()) {
        if (noFollow) {
          break;
        }
        Thread.sleep(200);
      }
    }
    return 0;
  }

  /**
   * {@code text} on one line of its own: a newline, tab or other control character in a record
   * (pretty-printed JSON, say) would look like another record or move the terminal's cursor, so it
   * is written as an escape ({@code \\n}, {@code \\t}, {@code \\u001b}); a backslash doubles.
   */
  static String escaped(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String esc =
          switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case '\\' -> "\\\\";
            default -> Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : null;
          };
      if (esc != null && out == null) {
        out = new StringBuilder(text.length() + 8).append(text, 0, i);
      }
      if (out != null) {
        if (esc != null) {
          out.append(esc);
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? text : out.toString();
  }

  static String line(Format f, String shard, JsonNode r) {
    String data = RecordData.text(r.path("Data").asText());
    return switch (f) {
      case DATA -> data;
      case TEXT ->
          shard
              + "\t"
              + r.path("SequenceNumber").asText()
              + "\t"
              + escaped(r.path("PartitionKey").asText())
              + "\t"
              + escaped(data);
      case JSON -> {
        ObjectNode o = SluiceClient.object();
        o.put("shardId", shard);
        o.put("sequenceNumber", r.path("SequenceNumber").asText());
        o.put("partitionKey", r.path("PartitionKey").asText());
        o.put("approximateArrivalTimestamp", r.path("ApproximateArrivalTimestamp").asDouble());
        o.put("data", data);
        yield o.toString();
      }
    };
  }

  /**
   * Reads an option value naming a constant in lower case with hyphens ({@code trim-horizon}), in
   * any case and with underscores too. An unknown value is a usage error (exit code 2) that names
   * the allowed ones, not a stack trace.
   */
  abstract static class OptionConverter<E extends Enum<E>> implements ITypeConverter<E> {
    private final Class<E> type;

    OptionConverter(Class<E> type) {
      this.type = type;
    }

    @Override
    public E convert(String value) {
      for (E constant : type.getEnumConstants()) {
        if (name(constant).equalsIgnoreCase(value.replace('_', '-'))) { // TRIM_HORIZON too
          return constant;
        }
      }
      throw new TypeConversionException(
          "expected one of "
              + Arrays.stream(type.getEnumConstants())
                  .map(OptionConverter::name)
                  .collect(Collectors.joining(", "))
              + " but was '"
              + value
              + "'");
    }

    private static String name(Enum<?> constant) {
      return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  static final class FromConverter extends OptionConverter<From> {
    FromConverter() {
      super(From.class);
    }
  }

  static final class FormatConverter extends OptionConverter<Format> {
    FormatConverter() {
      super(Format.class);
    }
  }
}
