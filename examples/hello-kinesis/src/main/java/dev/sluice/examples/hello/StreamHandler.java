package dev.sluice.examples.hello;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Writes its input back with ASCII letters upper-cased; every other byte is copied as is. */
public class StreamHandler implements RequestStreamHandler {
  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context)
      throws IOException {
    byte[] bytes = input.readAllBytes();
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] >= 'a' && bytes[i] <= 'z') {
        bytes[i] = (byte) (bytes[i] - ('a' - 'A'));
      }
    }
    output.write(bytes);
    output.flush();
  }
}
