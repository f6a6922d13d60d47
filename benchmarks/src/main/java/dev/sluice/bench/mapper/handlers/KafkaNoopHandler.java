package dev.sluice.bench.mapper.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KafkaEvent;

/** Does nothing with the batch it is given (it is still deserialized into a KafkaEvent). */
public final class KafkaNoopHandler implements RequestHandler<KafkaEvent, Void> {

  @Override
  public Void handleRequest(KafkaEvent event, Context context) {
    return null;
  }
}
