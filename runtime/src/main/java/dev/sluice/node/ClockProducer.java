package dev.sluice.node;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The wall clock, unless a test supplies its own. */
@Singleton
public class ClockProducer {

  /** The system UTC clock; a default bean, so tests can replace it. */
  @Produces
  @Singleton
  @DefaultBean
  public Clock clock() {
    return Clock.systemUTC();
  }
}
