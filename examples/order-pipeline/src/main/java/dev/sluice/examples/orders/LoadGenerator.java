package dev.sluice.examples.orders;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a realistic flow of order events as JSON lines, one event per line, for {@code ./sluice
 * put orders --key-field orderId -}.
 *
 * <pre>
 * java -cp order-pipeline.jar dev.sluice.examples.orders.LoadGenerator [--orders N] [--seed S]
 *     [--invalid-rate R] [--in-flight W] [--first-order K] [--out FILE]
 * </pre>
 */
public final class LoadGenerator {
  static final String USAGE =
      "usage: LoadGenerator [--orders N (1000)] [--seed S (random)] [--invalid-rate R (0)]"
          + " [--in-flight W (50)] [--first-order K (1)] [--out FILE (stdout)]";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private LoadGenerator() {}

  /** Writes the events; exits with status 2 on bad arguments. */
  public static void main(String[] args) throws IOException {
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** Runs the generator; returns the exit status. {@code stdout} is flushed, not closed. */
  static int run(String[] args, OutputStream stdout, PrintStream stderr) throws IOException {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      stderr.println(e.getMessage());
      stderr.println(USAGE);
      return 2;
    }
    if (options.help()) {
      stderr.println(USAGE);
      return 0;
    }
    OrderFlow.Settings settings = options.settings();
    // the seed is printed so that a run with a random seed can be repeated
    stderr.println(
        "LoadGenerator: "
            + settings.orders()
            + " orders, seed "
            + settings.seed()
            + ", "
            + settings.invalidOrders()
            + " with an out-of-order event");
    if (options.out() == null) {
      Writer writer = new BufferedWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8));
      write(settings, writer);
      writer.flush();
    } else {
      try (Writer writer = Files.newBufferedWriter(options.out())) {
        write(settings, writer);
      }
    }
    return 0;
  }

  private static void write(OrderFlow.Settings settings, Writer writer) throws IOException {
    try {
      new OrderFlow(settings)
          .generate(
              event -> {
                try {
                  writer.write(MAPPER.writeValueAsString(event));
                  writer.write('\n');
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The command line. */
  record Options(OrderFlow.Settings settings, Path out, boolean help) {
    static Options parse(String[] args) {
      int orders = 1000;
      long seed = ThreadLocalRandom.current().nextLong();
      double invalidRate = 0;
      int inFlight = 50;
      int firstOrder = 1;
      Path out = null;
      for (int i = 0; i < args.length; i++) {
        String name = args[i];
        if (name.equals("--help") || name.equals("-h")) {
          return new Options(null, null, true);
        }
        if (i + 1 == args.length) {
          throw new IllegalArgumentException("missing value or unknown option: " + name);
        }
        String value = args[++i];
        switch (name) {
          case "--orders" -> orders = Integer.parseInt(number(name, value));
          case "--seed" -> seed = Long.parseLong(number(name, value));
          case "--invalid-rate" -> invalidRate = Double.parseDouble(number(name, value));
          case "--in-flight" -> inFlight = Integer.parseInt(number(name, value));
          case "--first-order" -> firstOrder = Integer.parseInt(number(name, value));
          case "--out" -> out = Path.of(value);
          default -> throw new IllegalArgumentException("unknown option: " + name);
        }
      }
      return new Options(
          new OrderFlow.Settings(orders, firstOrder, invalidRate, inFlight, seed), out, false);
    }

    // parse errors become IllegalArgumentException (NumberFormatException is one) with the option
    private static String number(String name, String value) {
      if (!value.matches("-?[0-9]+(\\.[0-9]+)?")) {
        throw new IllegalArgumentException(name + " takes a number, not " + value);
      }
      return value;
    }
  }
}
