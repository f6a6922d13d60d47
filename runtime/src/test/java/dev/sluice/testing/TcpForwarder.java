package dev.sluice.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Forwards TCP connections from a local port to {@code host:port}, so that a test can make an
 * address reachable only from a chosen moment: a client retrying it sees a real connection refused
 * until then. Closing it closes every connection it forwards.
 */
public final class TcpForwarder implements AutoCloseable {

  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean frozen;

  private TcpForwarder(ServerSocket server) {
    this.server = server;
  }

  /** Starts forwarding 127.0.0.1:{@code port} to {@code target} (host:port). */
  public static TcpForwarder start(int port, String target) {
    int colon = target.lastIndexOf(':');
    String host = target.substring(0, colon);
    int targetPort = Integer.parseInt(target.substring(colon + 1));
    try {
      ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
      TcpForwarder f = new TcpForwarder(server);
      daemon(() -> f.accept(host, targetPort));
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A port nothing listens on now. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void accept(String host, int port) {
    while (!server.isClosed()) {
      try {
        Socket in = server.accept();
        Socket out = new Socket(host, port);
        sockets.add(in);
        sockets.add(out);
        daemon(() -> pump(in, out));
        daemon(() -> pump(out, in));
      } catch (IOException e) {
        // closed, or the target refused this one: the client sees its connection end
      }
    }
  }

  /**
   * Holds every byte from now on, both ways, with the connections left open: to the clients the
   * other side hangs, as it does behind a network partition (no reset, no refusal).
   */
  public void freeze() {
    frozen = true;
  }

  /** Passes bytes again, those held first. */
  public void thaw() {
    frozen = false;
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        while (frozen) {
          Thread.sleep(10);
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // either side closed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void daemon(Runnable r) {
    Thread t = new Thread(r, "tcp-forwarder");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    sockets.forEach(TcpForwarder::closeQuietly);
  }
}
