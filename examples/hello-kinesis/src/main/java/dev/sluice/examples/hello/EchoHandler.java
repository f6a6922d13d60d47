package dev.sluice.examples.hello;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.LinkedHashMap;
import java.util.Map;

/** Returns its input plus {@code "handledBy"}: the name of the function that ran it. */
public class EchoHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  @Override
  public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
    Map<String, Object> output = input == null ? new LinkedHashMap<>() : new LinkedHashMap<>(input);
    output.put("handledBy", context.getFunctionName());
    return output;
  }
}
