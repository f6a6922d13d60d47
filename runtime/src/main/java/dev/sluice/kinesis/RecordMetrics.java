package dev.sluice.kinesis;

import dev.sluice.stream.StreamAppender.Entry;
import dev.sluice.stream.StreamAppender.Outcome;
import java.util.List;

/** What the record operations report about traffic; implemented with Micrometer by the node. */
public interface RecordMetrics {

  /** Records that a put wrote (those whose outcome is ok). */
  void recordsIn(String stream, List<Entry> entries, List<Outcome> outcomes);

  /** Records that a GetRecords returned. */
  void recordsOut(String stream, int count);
}
