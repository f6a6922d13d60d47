package dev.sluice.stream;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds and reads AWS-form ARNs for one region and account. */
public final class Arns {

  private static final Pattern STREAM_ARN =
      Pattern.compile("arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\\d{12}):stream/([a-zA-Z0-9_.-]+)");

  private final String region;
  private final String accountId;

  /** ARNs in {@code region} under {@code accountId}. */
  public Arns(String region, String accountId) {
    this.region = region;
    this.accountId = accountId;
  }

  /** The region named in ARNs. */
  public String region() {
    return region;
  }

  /** The account id named in ARNs. */
  public String accountId() {
    return accountId;
  }

  /** {@code arn:aws:kinesis:<region>:<account>:stream/<name>}. */
  public String stream(String streamName) {
    return "arn:aws:kinesis:" + region + ":" + accountId + ":stream/" + streamName;
  }

  /** The stream's ARN followed by {@code /shard/<shardId>}. */
  public String shard(String streamName, String shardId) {
    return stream(streamName) + "/shard/" + shardId;
  }

  /** Whether {@code text} is a Kinesis stream ARN of any region and account. */
  public static boolean isStreamArn(String text) {
    return STREAM_ARN.matcher(text).matches();
  }

  /**
   * The stream name in a stream ARN of this region and account; null when {@code arn} is not one.
   */
  public String streamName(String arn) {
    Matcher m = STREAM_ARN.matcher(arn);
    if (!m.matches() || !m.group(1).equals(region) || !m.group(2).equals(accountId)) {
      return null;
    }
    return m.group(3);
  }
}
