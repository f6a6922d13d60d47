package dev.sluice.bench.mapper.handlers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;

/** Does nothing with the batch it is given (it is still deserialized into a KinesisEvent). */
public final class NoopHandler implements RequestHandler<KinesisEvent, Void> {

  @Override
  public Void handleRequest(KinesisEvent event, Context context) {
    return null;
  }
}
